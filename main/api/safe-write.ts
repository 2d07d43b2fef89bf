/**
 * Writing and reading a file that must stay inside a root folder, whatever symbolic links sit
 * on the way. Browser mode keeps its settings in `<workspace>/.labforge/settings.json`: if
 * `.labforge` (or any folder on the way, or the file) is a link that leads out of the
 * workspace, nothing is written there and nothing is read from there.
 *
 * - Folders are created one level at a time, each checked before the next, so a link never
 *   gets a folder created behind it.
 * - A link that stays inside the root is followed (a workspace may use links internally).
 * - The new content goes to a fresh temporary file opened with O_EXCL|O_NOFOLLOW (a link
 *   planted at its name is refused, not followed) and is renamed over the target, which
 *   replaces a link at the target's name instead of writing through it.
 */
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class OutsideRootError extends Error {
  constructor(
    readonly path: string,
    readonly root: string,
    readonly via: string,
  ) {
    super(`${path} leads outside ${root} through the symbolic link ${via}: remove the link or point it inside ${root}`);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * The real folder `dir` names, created level by level if missing; throws OutsideRootError when
 * a link on the way leads out of `root`.
 */
export async function ensureDirInside(root: string, dir: string): Promise<string> {
  const absRoot = resolve(root);
  const realRoot = await realpath(absRoot);
  const target = resolve(absRoot, dir);
  if (!inside(absRoot, target)) throw new OutsideRootError(target, absRoot, target);
  let current = absRoot;
  for (const part of relative(absRoot, target).split(sep).filter(Boolean)) {
    current = join(current, part);
    const info = await lstat(current).catch((err: unknown) => {
      if (errno(err) === 'ENOENT') return null;
      throw err;
    });
    if (info === null) {
      // mkdir does not follow a link at the last component, and the parent was checked.
      await mkdir(current).catch((err: unknown) => {
        if (errno(err) !== 'EEXIST') throw err;
      });
    }
    const real = await realpath(current).catch((err: unknown) => {
      // A dangling link: it points somewhere that does not exist, inside or out; refuse it.
      if (errno(err) === 'ENOENT') throw new OutsideRootError(target, absRoot, current);
      throw err;
    });
    if (!inside(realRoot, real)) throw new OutsideRootError(target, absRoot, current);
  }
  return realpath(target);
}

/** Writes `text` to `file` (inside `root`) atomically, never through a link that leads out. */
export async function writeFileInside(root: string, file: string, text: string, mode = 0o600): Promise<void> {
  const dir = await ensureDirInside(root, dirname(resolve(root, file)));
  const name = basename(file);
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Reads `file` (inside `root`) without following a link at the file itself, or null when it
 * does not exist. Throws OutsideRootError when a folder on the way leads out, and an Error for
 * anything but a regular file of at most `maxBytes` (a FIFO would otherwise block the read).
 */
export async function readFileInside(root: string, file: string, maxBytes = 2 ** 20): Promise<string | null> {
  const absRoot = resolve(root);
  const path = resolve(absRoot, file);
  const realRoot = await realpath(absRoot);
  const realDir = await realpath(dirname(path)).catch((err: unknown) => {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  });
  if (realDir === null) return null;
  if (!inside(realRoot, realDir)) throw new OutsideRootError(path, absRoot, dirname(path));
  let handle;
  try {
    handle = await open(join(realDir, basename(path)), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    if (errno(err) === 'ELOOP') throw new OutsideRootError(path, absRoot, path);
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new Error(`${path} is ${info.size} bytes, over the ${maxBytes}-byte limit`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
