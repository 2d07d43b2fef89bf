import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InvalidInputError } from './errors';

/**
 * Reads a text file the user named, refusing what would hang or exhaust memory: FIFOs, devices
 * and directories (checked on the opened descriptor, opened non-blocking so a FIFO cannot
 * block), and files over `maxBytes`.
 */
export function readTextFile(file: string, maxBytes: number, what = 'file'): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InvalidInputError([`${file}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InvalidInputError([`${file}: the ${what} is not a regular file (a directory, FIFO or device); name a file`]);
    if (st.size > maxBytes) throw new InvalidInputError([`${file}: the ${what} is ${st.size} bytes, over the limit of ${maxBytes}; it cannot be a lab source`]);
    const buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
