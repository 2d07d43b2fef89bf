/**
 * Reading a lab or roster file the user named, safely: only a regular file, only up to a size
 * limit. The file is opened without blocking and checked on the open descriptor, so a FIFO never
 * hangs the reader (nor, in `labforge ui`, the thread pool every other file request needs), a
 * device such as /dev/zero is refused instead of read forever, and a file swapped between a check
 * and the open is still the file checked. The CLI and the API both read through here.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

export type InputFileProblem = 'missing' | 'not_regular' | 'too_large' | 'unreadable';

export class InputFileError extends Error {
  constructor(
    readonly problem: InputFileProblem,
    message: string,
    /** For `too_large`: the text up to the limit, so the caller can point at where it is passed. */
    readonly head?: string,
  ) {
    super(message);
  }
}

export interface InputLimit {
  /** What the file is, for messages: "lab file", "roster". */
  what: string;
  maxBytes: number;
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(err: unknown, limit: InputLimit): InputFileError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputFileError('missing', `the ${limit.what} does not exist`);
  if (code === 'EISDIR') return new InputFileError('not_regular', `is a directory, not a ${limit.what}`);
  return new InputFileError('unreadable', `cannot read the ${limit.what} (${code ?? (err as Error).message})`);
}

function checkStat(stat: Stats, limit: InputLimit): void {
  if (!stat.isFile()) throw new InputFileError('not_regular', `is ${kindOf(stat)}, not a ${limit.what}; give the path of a regular file`);
}

function tooLarge(bytes: Buffer, limit: InputLimit): InputFileError {
  const mib = limit.maxBytes / 2 ** 20;
  return new InputFileError('too_large', `the ${limit.what} is larger than ${mib} MiB, the most it may be`, decode(bytes.subarray(0, limit.maxBytes)));
}

const decode = (bytes: Buffer) => new TextDecoder('utf-8').decode(bytes);

/** Reads at most maxBytes + 1 bytes: one more than allowed is enough to know it is too large. */
export function readInputFileSync(path: string, limit: InputLimit): string {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    throw openError(err, limit);
  }
  try {
    checkStat(fstatSync(fd), limit);
    const buf = Buffer.alloc(limit.maxBytes + 1);
    let filled = 0;
    for (;;) {
      const n = readSync(fd, buf, filled, buf.length - filled, null);
      if (n === 0) break;
      filled += n;
      if (filled === buf.length) throw tooLarge(buf, limit);
    }
    return decode(buf.subarray(0, filled));
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw openError(err, limit);
  } finally {
    closeSync(fd);
  }
}

export async function readInputFile(path: string, limit: InputLimit): Promise<string> {
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (err) {
    throw openError(err, limit);
  }
  try {
    checkStat(await handle.stat(), limit);
    // Read to the end rather than trust the size: files under /proc report 0 and have content.
    const buf = Buffer.alloc(limit.maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) throw tooLarge(buf, limit);
    }
    return decode(buf.subarray(0, filled));
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw openError(err, limit);
  } finally {
    await handle.close();
  }
}
