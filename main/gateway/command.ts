/**
 * How `ssh host cmd` runs in a node and how its exit status comes back. The exec's own status
 * cannot be relied on: kwok (the local cluster) does not pass exit codes through, and
 * client-node sometimes ends a non-tty exec without a status. So the command runs under a
 * small sh wrapper that prints a trailer, a per-run random marker and the exit code, as the
 * last line of stdout; `TrailerStripper` passes everything before it through as it streams and
 * holds back only as many bytes as the trailer can take, so the student never sees it.
 */
import { randomBytes } from 'node:crypto';

const WRAPPER = ['sh -c "$2"', 'c=$?', 'printf \'\\n%s %s\\n\' "$1" "$c"'].join('\n');

/** A marker the command cannot guess: it is not in its environment or arguments. */
export function newMarker(): string {
  return `__labforge_ssh_${randomBytes(12).toString('hex')}__`;
}

export function commandArgv(marker: string, command: string): string[] {
  return ['sh', '-c', WRAPPER, 'labforge-ssh', marker, command];
}

/** What the stripper holds back: `\n`, the marker, a space, up to 3 digits and `\n`. */
const tailRoom = (marker: string) => marker.length + 6;

export class TrailerStripper {
  private held: Buffer = Buffer.alloc(0);
  private readonly room: number;

  constructor(private readonly marker: string) {
    this.room = tailRoom(marker);
  }

  /** Returns what may be passed on now. */
  push(chunk: Buffer): Buffer {
    const all = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    if (all.length <= this.room) {
      this.held = all;
      return Buffer.alloc(0);
    }
    this.held = Buffer.from(all.subarray(all.length - this.room));
    return all.subarray(0, all.length - this.room);
  }

  /**
   * At the end: the rest of the output (without the trailer) and the exit code, or null when
   * the trailer is missing (the connection dropped, or the node has no sh).
   */
  finish(): { rest: Buffer; code: number | null } {
    const text = this.held.toString('latin1');
    const m = new RegExp(`\\n${this.marker} (\\d{1,3})\\n$`).exec(text);
    if (!m) return { rest: this.held, code: null };
    return { rest: this.held.subarray(0, m.index), code: Number(m[1]) };
  }
}
