import { readdir, rename, writeFile } from 'node:fs/promises';
import { escapeControl } from '../../common/lab/escape';
import { MAX_LAB_BYTES } from '../../common/lab/limits';
import type { FileSystem } from './deps';
import { ApiFailure } from './dispatch';
import { InputFileError, readInputFile } from '../kube/input-file';

export const nodeFileSystem: FileSystem = {
  // Every file the API reads is a lab file: regular files only, never more than a lab may be.
  async readFile(path) {
    try {
      return await readInputFile(path, { what: 'lab file', maxBytes: MAX_LAB_BYTES });
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      throw new ApiFailure(err.problem === 'missing' ? 'not_found' : 'invalid_request', `${escapeControl(path)}: ${err.message}`);
    }
  },
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
