/**
 * How a check runs inside a node and what its output says. The verdict is not read from the
 * output: it is the exec's own status, which the runtime reports on the exec protocol's status
 * channel (main/kube/exec-status.ts), so a process in the node that writes a look-alike trailer
 * to the exec's output, or kills the wrapper after doing so, cannot make a check pass. The
 * script runs under a small POSIX sh wrapper that enforces the timeout inside the node, stops
 * everything the script started, exits with the script's status, and prints a trailer with a
 * per-run marker and that status as the last line: the trailer separates the output from the
 * wrapper's own lines, tells a timeout from a script that exits 143 itself, and gives the exit
 * code where the runtime reports a failure without one (kwok, the local cluster). The output is
 * read through `OutputTail`, which keeps only a bounded tail and the first `FAIL:` line, so a
 * script printing megabytes costs a few kilobytes here.
 */
import { CD_HOME_SH } from '../../common/compile/workloads';

/** Bytes of output kept (the tail), enough for the trailer and what an instructor reads. */
export const TAIL_BYTES = 8 * 1024;
/** Longest `FAIL:` line kept; a longer one is cut. */
const FAIL_LINE_MAX = 500;
/** What the scan holds of a line that has not ended yet, to find a `FAIL:` prefix. */
const LINE_SCAN_MAX = FAIL_LINE_MAX + 8;

/**
 * The wrapper. Arguments: $1 marker, $2 timeout in seconds, $3 the script. The script runs in a
 * session of its own when `setsid` exists (util-linux and busybox have it), so the watchdog ends
 * the script's process group. (`set -m` would do it in bash, but dash turns job control off
 * without a tty.) A child that leaves the group (its own `setsid`, a double fork) would outlive
 * that and hold the exec's output open, so the script also gets `LABFORGE_CHECK_RUN=<marker>` in
 * its environment, which every descendant inherits whatever its session, and once the script has
 * ended (by itself or stopped by the watchdog) every process whose environment carries it is
 * killed: `sweep`, one `grep` over /proc, repeated while it finds any (a process may fork as it
 * dies). The watchdog says so in the output before it stops the script, so a timeout is told
 * from a script that exits 143 itself. Its own `sleep` writes nowhere, so when the script ends
 * first and the watchdog is killed, nothing is left holding the exec's output. The script's
 * stdin is /dev/null: checks are not interactive. The wrapper exits with the script's status,
 * which the runtime reports as the exec's.
 */
export const WRAPPER = [
  // One stream, so the trailer is last (stdout and stderr are separate channels of the exec).
  'exec 2>&1',
  'if command -v setsid >/dev/null 2>&1; then s=setsid; else s=; fi',
  CD_HOME_SH,
  'sweep() { for i in 1 2 3 4 5; do l=$(grep -l -F "LABFORGE_CHECK_RUN=$1" /proc/[0-9]*/environ 2>/dev/null | sed -e "s|^/proc/||" -e "s|/environ\$||"); [ -n "$l" ] || return 0; kill -KILL $l 2>/dev/null; done; }',
  'LABFORGE_CHECK_RUN="$1" $s sh -c "$3" </dev/null &',
  'p=$!',
  '( sleep "$2" >/dev/null 2>&1; printf \'\\n%s timeout\\n\' "$1"; kill -TERM -"$p" 2>/dev/null || kill -TERM "$p"; sleep 2 >/dev/null 2>&1; kill -KILL -"$p" 2>/dev/null || kill -KILL "$p" ) </dev/null 2>/dev/null &',
  'w=$!',
  'wait "$p"; c=$?',
  'kill "$w" 2>/dev/null',
  'sweep "$1"',
  'printf \'\\n%s %s\\n\' "$1" "$c"',
  'exit "$c"',
].join('\n');

/** The command line to exec: `sh -c WRAPPER labforge-check MARKER TIMEOUT SCRIPT`. */
export function checkCommand(marker: string, timeoutSeconds: number, script: string): string[] {
  return ['sh', '-c', WRAPPER, 'labforge-check', marker, String(timeoutSeconds), script];
}

/**
 * A per-run marker. Not a secret: the script's environment carries it (so the wrapper can find
 * what the script started), and a root student can read any process's arguments; nothing is
 * judged by it, see the top of this file.
 */
export function newMarker(random: (bytes: number) => string): string {
  return `__labforge_check_${random(12)}__`;
}

/**
 * The output of one run, streamed through: a bounded tail, the first line starting with
 * `FAIL:`, and the byte count. Memory stays bounded whatever the script prints.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private held = 0;
  private line = '';
  private skip = false;
  bytes = 0;
  failLine: string | null = null;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.held - this.chunks[0]!.length >= TAIL_BYTES) this.held -= this.chunks.shift()!.length;
    if (this.held > 4 * TAIL_BYTES) this.compact();
    if (this.failLine === null) this.scan(chunk);
  }

  private compact() {
    const all = Buffer.concat(this.chunks);
    const kept = Buffer.from(all.subarray(all.length - TAIL_BYTES));
    this.chunks = [kept];
    this.held = kept.length;
  }

  /** Finds the first line that starts with `FAIL:`, across chunk boundaries. */
  private scan(chunk: Buffer) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (!this.skip) {
        const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
        this.line += piece.subarray(0, Math.max(0, LINE_SCAN_MAX - this.line.length)).toString('utf8');
        // Past five characters a line either starts with FAIL: or is of no interest.
        if (this.line.length >= 5 && !this.line.startsWith('FAIL:')) this.skip = true;
      }
      if (nl === -1) return;
      if (!this.skip && this.line.startsWith('FAIL:')) {
        this.failLine = this.line.replace(/\r$/, '').slice(0, FAIL_LINE_MAX);
        return;
      }
      this.line = '';
      this.skip = false;
      start = nl + 1;
    }
  }

  /** The tail as text (a cut multi-byte character at its start becomes U+FFFD). */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString('utf8');
  }

  /** A line ending the output that the scan holds but never saw end: a last FAIL: line with no newline. */
  finish(): void {
    if (this.failLine === null && !this.skip && this.line.startsWith('FAIL:')) this.failLine = this.line.slice(0, FAIL_LINE_MAX);
  }
}

export interface Trailer {
  /** The script's exit status as the wrapper saw it (128+N when ended by signal N). */
  code: number;
  /** The watchdog stopped the script. */
  timedOut: boolean;
  /** The output without the trailer (and without the newline the wrapper put before it). */
  output: string;
}

/**
 * Reads the trailer off the end of the tail; null when it is missing (the wrapper never
 * finished: the connection dropped or the exec was refused).
 */
export function readTrailer(tail: string, marker: string): Trailer | null {
  const at = tail.lastIndexOf(`\n${marker} `);
  if (at === -1) return null;
  const m = /^ (\d+)\n?$/.exec(tail.slice(at + 1 + marker.length));
  if (!m) return null;
  const timeoutLine = `\n${marker} timeout\n`;
  const t = tail.lastIndexOf(timeoutLine);
  const output = t === -1 ? tail.slice(0, at) : tail.slice(0, t) + tail.slice(t + timeoutLine.length, at);
  return { code: Number(m[1]), timedOut: t !== -1, output };
}
