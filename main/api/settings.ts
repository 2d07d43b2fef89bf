/**
 * One Settings interface for both hosts: electron-store behind the Electron entry
 * (main/electron/settings.ts), a JSON file in browser mode (here). Values are validated with
 * the contract's schema on the way in and out, so a hand-edited file cannot break the UI.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { settingsSchema, type Settings, type SettingsPatch } from '../../common/api/contract';
import { ApiFailure } from './dispatch';
import { OutsideRootError, readFileInside, writeFileInside } from './safe-write';

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

/**
 * Browser mode: `<workspace>/.labforge/settings.json` (or any file given). `root` is the folder
 * the file must stay in (the workspace): a symbolic link on the way that leads out of it is
 * neither read through (defaults instead) nor written through (a forbidden error).
 */
export function createJsonSettings(file: string, root?: string): SettingsStore {
  // Without a root, the file's own folder is the root; the caller named it, so it may be created.
  const within = root ?? dirname(file);
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Settings> => {
    try {
      const text = await readFileInside(within, file);
      return text === null ? settingsSchema.parse({}) : decodeSettings(JSON.parse(text));
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
        try {
          if (root === undefined) await mkdir(within, { recursive: true });
          await writeFileInside(within, file, `${JSON.stringify(next, null, 2)}\n`);
        } catch (err) {
          if (err instanceof OutsideRootError) throw new ApiFailure('forbidden', `settings: ${err.message}`);
          throw err;
        }
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
