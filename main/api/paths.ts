/**
 * Which server-side files the renderer may touch. Browser mode: the workspace (read/write) and
 * the examples (read-only). Electron adds single files the user picked in a native dialog.
 * Both the lexical path and the real path (symlinks resolved) must stay inside a root, so
 * neither `..` nor a symlink leads out.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ApiFailure } from './dispatch';

export interface PathRoot {
  dir: string;
  writable: boolean;
}

export type Access = 'read' | 'write';

export interface PathPolicy {
  /** Returns the real absolute path, or throws ApiFailure('forbidden' | 'not_found'). */
  resolve(path: string, access: Access): Promise<string>;
  /** Allows one exact file (e.g. picked in a native dialog) for the given access. */
  grant(path: string, access: Access): Promise<void>;
  /** The directory relative paths resolve against (the workspace), if any. */
  readonly base: string | null;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The real path of a file that may not exist yet: its parent must exist. */
async function realTarget(path: string): Promise<string | null> {
  const real = await realOrNull(path);
  if (real) return real;
  const parent = await realOrNull(dirname(path));
  return parent ? join(parent, basename(path)) : null;
}

export function createPathPolicy(roots: PathRoot[], base: string | null = roots.find((r) => r.writable)?.dir ?? null): PathPolicy {
  const granted = new Map<string, Access>();
  let realRoots: Promise<{ dir: string; real: string; writable: boolean }[]> | null = null;
  const getRoots = () =>
    (realRoots ??= Promise.all(
      roots.map(async (r) => {
        const dir = resolve(r.dir);
        return { dir, real: (await realOrNull(dir)) ?? dir, writable: r.writable };
      }),
    ));

  return {
    base,
    async grant(path, access) {
      const lexical = resolve(path);
      const real = await realTarget(lexical);
      if (!real) throw new ApiFailure('not_found', `${path} does not exist`);
      granted.set(real, access);
      granted.set(lexical, access);
    },
    async resolve(path, access) {
      if (path.includes('\0')) throw new ApiFailure('forbidden', 'invalid path');
      if (!isAbsolute(path) && base === null) throw new ApiFailure('forbidden', `relative path "${path}" needs a workspace folder`);
      const lexical = resolve(base ?? '/', path);
      const allowed = (grant: Access | undefined) => grant !== undefined && (grant === 'write' || access === 'read');
      const all = await getRoots();
      // Decide on the lexical path first, so nothing is revealed about files outside the roots.
      const candidates = all.filter((r) => (access === 'read' || r.writable) && (inside(r.dir, lexical) || inside(r.real, lexical)));
      if (!candidates.length && !allowed(granted.get(lexical))) {
        const readOnly = access === 'write' && all.some((r) => !r.writable && (inside(r.dir, lexical) || inside(r.real, lexical)));
        throw new ApiFailure('forbidden', readOnly ? `${path} is read-only (a built-in example); use Save As to save a copy in the workspace` : `${path} is outside the folders Labforge may ${access}`);
      }
      const real = access === 'read' ? await realOrNull(lexical) : await realTarget(lexical);
      if (real === null) throw new ApiFailure('not_found', `${path} does not exist`);
      if (allowed(granted.get(real))) return real;
      // Then on the real path: a symlink must not lead out.
      if (candidates.some((r) => inside(r.real, real))) return real;
      throw new ApiFailure('forbidden', `${path} leads outside the folders Labforge may ${access} (through a symbolic link)`);
    },
  };
}
