import { basename, join, relative } from 'node:path';
import type { ApiDeps } from '../deps';
import { ApiFailure, type Handler } from '../dispatch';

const LAB_FILE = /\.ya?ml$/i;
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist', 'release']);

export const fileRead = (deps: ApiDeps): Handler<'file.read'> => async ({ path }) => {
  const real = await deps.paths.resolve(path, 'read');
  return { path: real, text: await deps.fs.readFile(real) };
};

export const fileWrite = (deps: ApiDeps): Handler<'file.write'> => async ({ path, text }) => {
  if (!LAB_FILE.test(path)) throw new ApiFailure('invalid_request', `path: lab files end in .yaml or .yml (got "${basename(path)}")`);
  const real = await deps.paths.resolve(path, 'write');
  await deps.fs.writeFile(real, text);
  return { path: real };
};

/** Lab files two levels deep in the workspace (dot folders and build output skipped), plus examples. */
export const fileList = (deps: ApiDeps): Handler<'file.list'> => async () => {
  const files: { path: string; name: string; source: 'workspace' | 'example' }[] = [];
  const walk = async (root: string, dir: string, depth: number, source: 'workspace' | 'example') => {
    let entries;
    try {
      entries = await deps.fs.listDir(dir);
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isFile && LAB_FILE.test(e.name)) files.push({ path: full, name: relative(root, full), source });
      else if (e.isDir && depth > 0 && !SKIP_DIRS.has(e.name)) await walk(root, full, depth - 1, source);
    }
  };
  if (deps.workspace) await walk(deps.workspace, deps.workspace, 2, 'workspace');
  await walk(deps.examplesDir, deps.examplesDir, 0, 'example');
  return { files };
};

export const fileOpenDialog = (deps: ApiDeps): Handler<'file.openDialog'> | undefined => {
  const dialogs = deps.dialogs;
  if (!dialogs) return undefined;
  return async () => {
    const picked = await dialogs.open();
    if (!picked) return { file: null };
    await deps.paths.grant(picked, 'write');
    const real = await deps.paths.resolve(picked, 'read');
    return { file: { path: real, text: await deps.fs.readFile(real) } };
  };
};

export const fileSaveDialog = (deps: ApiDeps): Handler<'file.saveDialog'> | undefined => {
  const dialogs = deps.dialogs;
  if (!dialogs) return undefined;
  return async ({ defaultName }) => {
    const picked = await dialogs.save(defaultName, deps.workspace);
    if (!picked) return { path: null };
    await deps.paths.grant(picked, 'write');
    return { path: picked };
  };
};
