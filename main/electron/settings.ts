/** Settings in Electron: electron-store (ESM-only; only the Electron entry may load this file). */
import Store from 'electron-store';
import type { SettingsStore } from '../api/settings';
import { decodeSettings, mergeSettings } from '../api/settings';

export function createElectronSettings(): SettingsStore {
  const store = new Store<Record<string, unknown>>({ name: 'settings' });
  return {
    get: async () => decodeSettings(store.store),
    async update(patch) {
      const next = mergeSettings(decodeSettings(store.store), patch);
      store.store = next;
      return next;
    },
  };
}
