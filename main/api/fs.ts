import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileSystem } from './deps';

export const nodeFileSystem: FileSystem = {
  readFile: (path) => readFile(path, 'utf8'),
  async writeFile(path, text) {
    // Write then rename, so a crash never leaves a half-written lab file.
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path);
  },
  async listDir(dir) {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() }));
  },
};
