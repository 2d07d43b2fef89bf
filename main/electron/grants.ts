/**
 * Electron's file grants: the exact files the user picked in a native dialog (shown by main,
 * main/electron/dialogs.ts), remembered across restarts. The renderer never decides what is
 * granted: `settings.recent` is renderer-writable (settings.addRecent takes any path), so it
 * is only a list to show, never a source of grants. The grants live in their own file in the
 * app's user-data folder, written only here, and every entry is checked again when loaded.
 *
 * No Electron import: the Electron entry passes the folder in, so this is unit-tested under Node.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { Access } from '../api/paths';
import { readFileInside, writeFileInside } from '../api/safe-write';

export interface FileGrant {
  path: string;
  access: Access;
}

export const MAX_GRANTS = 100;
const MAX_PATH = 4096;

/** A path main may remember a grant for: absolute, normalised, no NUL, a sane length. */
export function grantablePath(path: unknown): path is string {
  return typeof path === 'string' && path.length > 0 && path.length <= MAX_PATH && !path.includes('\0') && isAbsolute(path) && normalize(path) === path;
}

/** Reads a grants file's content leniently: bad entries are dropped, never repaired into grants. */
export function decodeGrants(raw: unknown): FileGrant[] {
  if (!raw || typeof raw !== 'object' || !('files' in raw) || !Array.isArray(raw.files)) return [];
  const out: FileGrant[] = [];
  for (const entry of raw.files.slice(0, MAX_GRANTS) as unknown[]) {
    if (!entry || typeof entry !== 'object' || !('path' in entry) || !('access' in entry)) continue;
    const { path, access } = entry;
    if (!grantablePath(path) || (access !== 'read' && access !== 'write')) continue;
    if (out.some((g) => g.path === path)) continue;
    out.push({ path, access });
  }
  return out;
}

/** Most recent first, one entry per path, at most MAX_GRANTS. */
export function addGrant(grants: readonly FileGrant[], grant: FileGrant): FileGrant[] {
  return [grant, ...grants.filter((g) => g.path !== grant.path)].slice(0, MAX_GRANTS);
}

export interface GrantStore {
  /** The remembered grants that still name a regular file (or a file to be, in an existing folder). */
  load(): Promise<FileGrant[]>;
  /** Remembers a grant for a path main obtained itself (a dialog choice). */
  record(path: string, access: Access): Promise<void>;
}

async function stillGrantable(grant: FileGrant): Promise<boolean> {
  const info = await lstat(grant.path).catch(() => null);
  if (info) return info.isFile();
  // A save target that was never written: its folder must still exist.
  return (await lstat(dirname(grant.path)).catch(() => null))?.isDirectory() ?? false;
}

/** `dir`: the app's user-data folder (main's own, which the sandboxed renderer cannot write). */
export function createGrantStore(dir: string, name = 'file-grants.json'): GrantStore {
  const file = join(dir, name);
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<FileGrant[]> => {
    try {
      const text = await readFileInside(dir, file);
      return text === null ? [] : decodeGrants(JSON.parse(text));
    } catch {
      return [];
    }
  };
  return {
    async load() {
      const all = await read();
      const checked = await Promise.all(all.map(async (g) => ((await stillGrantable(g)) ? g : null)));
      return checked.filter((g): g is FileGrant => g !== null);
    },
    record(path, access) {
      if (!grantablePath(path)) return Promise.reject(new Error(`not a grantable path: ${JSON.stringify(path)}`));
      // Serialised so two quick picks never lose one another.
      const run = queue.then(async () => {
        const next = addGrant(await read(), { path, access });
        // Main's own folder; Electron creates it lazily.
        await mkdir(dir, { recursive: true });
        await writeFileInside(dir, file, `${JSON.stringify({ files: next }, null, 2)}\n`);
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
