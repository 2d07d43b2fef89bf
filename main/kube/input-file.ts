/**
 * Reading a file the user named, safely: only a regular file, only up to a size limit. Every
 * file argument goes through here: lab, roster, zones and import files, public keys, kubeconfigs
 * and the certificate, key and token files a kubeconfig names. It lives in main/kube, the lowest
 * Node layer, so the kubeconfig readers can use it as well as the API and the CLI.
 *
 * The file is opened without blocking and checked on the open descriptor, so a FIFO never hangs
 * the reader (nor, in `labforge ui`, the thread pool every other file request needs), a
 * device such as /dev/zero is refused instead of read forever, and a file swapped between a check
 * and the open is still the file checked.
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

/**
 * The bytes read so far, in a buffer sized from the file's stat and grown only when the file
 * turns out longer (files under /proc report 0 and have content), never past maxBytes + 1: one
 * byte more than allowed is enough to know the file is too large.
 */
class Filling {
  private buf: Buffer;
  private filled = 0;

  constructor(
    statSize: number,
    private readonly limit: InputLimit,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(limit.maxBytes + 1, Math.max(statSize + 1, 4096)));
  }

  /** Where the next read goes; grows the buffer when it is full. */
  space(): { buffer: Buffer; offset: number; length: number } {
    if (this.filled === this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.limit.maxBytes + 1, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.filled);
      this.buf = grown;
    }
    return { buffer: this.buf, offset: this.filled, length: this.buf.length - this.filled };
  }

  /** Counts `n` bytes just read; false at the end of the file. */
  add(n: number): boolean {
    if (n === 0) return false;
    this.filled += n;
    if (this.filled > this.limit.maxBytes) throw tooLarge(this.buf.subarray(0, this.filled), this.limit);
    return true;
  }

  text(): string {
    return decode(this.buf.subarray(0, this.filled));
  }
}

export function readInputFileSync(path: string, limit: InputLimit): string {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    throw openError(err, limit);
  }
  try {
    const stat = fstatSync(fd);
    checkStat(stat, limit);
    const into = new Filling(stat.size, limit);
    for (;;) {
      const { buffer, offset, length } = into.space();
      if (!into.add(readSync(fd, buffer, offset, length, null))) return into.text();
    }
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
    const stat = await handle.stat();
    checkStat(stat, limit);
    const into = new Filling(stat.size, limit);
    for (;;) {
      const { buffer, offset, length } = into.space();
      if (!into.add((await handle.read(buffer, offset, length, null)).bytesRead)) return into.text();
    }
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw openError(err, limit);
  } finally {
    await handle.close();
  }
}
