/**
 * One Settings interface for both hosts: electron-store behind the Electron entry
 * (main/electron/settings.ts), a JSON file in browser mode (here). Values are validated with
 * the contract's schema on the way in and out, so a hand-edited file cannot break the UI.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { settingsSchema, type Settings, type SettingsPatch } from './contract';

export interface SettingsStore {
  get(): Promise<Settings>;
  update(patch: SettingsPatch): Promise<Settings>;
}

export function mergeSettings(current: Settings, patch: SettingsPatch): Settings {
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) next[k] = v;
  return settingsSchema.parse(next);
}

export function addRecent(recent: readonly string[], path: string, max = 10): string[] {
  return [path, ...recent.filter((p) => p !== path)].slice(0, max);
}

/** Reads a settings object leniently: a bad or missing file gives the defaults. */
export function decodeSettings(raw: unknown): Settings {
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  // Keep the fields that are still valid.
  const out: Record<string, unknown> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      if (settingsSchema.safeParse({ [k]: v }).success) out[k] = v;
    }
  }
  return settingsSchema.parse(out);
}

/** Browser mode: `<workspace>/.labforge/settings.json` (or any file given). */
export function createJsonSettings(file: string): SettingsStore {
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Settings> => {
    try {
      return decodeSettings(JSON.parse(await readFile(file, 'utf8')));
    } catch {
      return settingsSchema.parse({});
    }
  };
  return {
    get: read,
    update(patch) {
      // Serialised so two quick updates never interleave their read-modify-write.
      const run = queue.then(async () => {
        const next = mergeSettings(await read(), patch);
        await mkdir(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
        await rename(tmp, file);
        return next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** For tests and hosts without persistence. */
export function createMemorySettings(initial: SettingsPatch = {}): SettingsStore {
  let value = mergeSettings(settingsSchema.parse({}), initial);
  return {
    get: async () => value,
    update: async (patch) => (value = mergeSettings(value, patch)),
  };
}
