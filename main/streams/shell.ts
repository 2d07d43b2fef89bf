/**
 * The commands a terminal session runs in the container, and the parser for what the first one
 * prints before the shell starts.
 *
 * Closing client-node's exec socket does not end the remote shell (the runtime keeps it, and on
 * the local cluster kwok waits for it), so a session must know the shell's PID to hang it up.
 * The wrapper prints its own PID and start time (`/proc/<pid>/stat` field 22, which survives
 * `exec`, so a reused PID is never mistaken for ours) as an OSC sequence no terminal displays,
 * then `exec`s bash, or sh where bash is missing: one exec, and the PID it printed is the shell's.
 *
 * On a real runtime a tty exec is already a session leader with the tty as controlling
 * terminal. On the local cluster kwok starts commands in its own process group with no
 * controlling terminal; there the wrapper runs the shell under `setsid -c` (no fork, since it
 * does not lead a group), so the shell gets job control and a real hangup, and killing its
 * process group can never reach kwok.
 */
import { CD_HOME_SH } from '../../common/compile/workloads';

/** `ESC ] 7717 ; labforge-pid=<pid>:<starttime> BEL`. 7717 is not an OSC number terminals use. */
const MARKER_PREFIX = Buffer.from('\x1b]7717;labforge-pid=');
const BEL = 0x07;
/** The marker is short; more than this before BEL means it is not ours. */
const MARKER_MAX = 96;
/** How far into the output the marker may be (after echoed type-ahead). */
const SEARCH = 4096;

const WRAPPER = [
  'pg=; sid=; st=',
  // Fields 5 (process group), 6 (session) and 22 (start time) of /proc/self/stat; the command
  // name (field 2) is "sh" here, so splitting on spaces is exact.
  'if [ -r /proc/$$/stat ]; then read -r _ _ _ _ pg sid _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ st _ < /proc/$$/stat; fi',
  "printf '\\033]7717;labforge-pid=%s:%s\\007' \"$$\" \"$st\"",
  'case "${TERM:-dumb}" in dumb) TERM=xterm-256color; export TERM;; esac',
  CD_HOME_SH,
  'c=',
  'if [ -t 0 ] && [ -n "$sid" ] && [ "$sid" != "$$" ] && [ "$pg" != "$$" ] && command -v setsid >/dev/null 2>&1; then c="setsid -c"; fi',
  // A command given (`ssh -t host cmd`) runs in the tty instead of an interactive shell.
  'if [ -n "$1" ]; then exec $c sh -c "$1"; fi',
  'if command -v bash >/dev/null 2>&1; then exec $c bash; fi',
  'exec $c sh',
].join('\n');

/** The one exec of a terminal session: prints the marker, then becomes bash or sh, or runs `command` in the tty. */
export function shellCommand(command?: string): string[] {
  return command ? ['sh', '-c', WRAPPER, 'labforge-shell', command] : ['sh', '-c', WRAPPER];
}

const HANGUP = [
  'p=$1; want=$2; tries=$3',
  // True while $p is still the process the wrapper reported (same start time).
  'ours() {',
  '  if [ -r /proc/$p/stat ]; then',
  '    read -r _ _ _ _ pg _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ st _ < /proc/$p/stat 2>/dev/null || return 1',
  '    [ -z "$want" ] || [ "$st" = "$want" ]',
  '  else kill -0 "$p" 2>/dev/null; fi',
  '}',
  'ours || exit 0',
  // HUP, as a hung-up tty would: bash passes it on to its jobs. The group only when the shell
  // leads it (never kwok's group on the local cluster).
  'kill -HUP "$p" 2>/dev/null',
  '[ "$pg" = "$p" ] && kill -HUP -"$p" 2>/dev/null',
  // And every other process of the session the shell leads (its background jobs have groups of
  // their own), as the kernel's hang-up of a tty reaches them: not only through bash, which a
  // loaded node may let pass the grace time and SIGKILL before it has passed the HUP on.
  'read -r _ _ _ _ _ sid _ < /proc/$p/stat 2>/dev/null || sid=',
  'if [ "$sid" = "$p" ]; then',
  '  for s in /proc/[0-9]*/stat; do',
  '    q=${s#/proc/}; q=${q%/stat}',
  '    [ "$q" = "$p" ] && continue',
  '    f=$(sed "s/^.*) //" "$s" 2>/dev/null) || continue',
  '    set -- $f',
  '    [ "$4" = "$p" ] && kill -HUP "$q" 2>/dev/null',
  '  done',
  'fi',
  'i=0',
  'while [ "$i" -lt "$tries" ] && ours; do sleep 0.1 2>/dev/null || sleep 1; i=$((i+1)); done',
  'if ours; then',
  '  kill -KILL "$p" 2>/dev/null',
  '  [ "$pg" = "$p" ] && kill -KILL -"$p" 2>/dev/null',
  'fi',
  'exit 0',
].join('\n');

/**
 * A second, non-tty exec that hangs up the shell: SIGHUP to it (and its group when it leads
 * one), then SIGKILL if it is still there after `graceMs`.
 */
export function hangupCommand(pid: number, startTime: string | null, graceMs = 2000): string[] {
  const tries = Math.max(1, Math.ceil(graceMs / 100));
  return ['sh', '-c', HANGUP, 'labforge-hangup', String(pid), startTime ?? '', String(tries)];
}

export interface ShellIdentity {
  pid: number;
  /** Clock ticks since boot (`/proc/<pid>/stat` field 22), or null where /proc is missing. */
  startTime: string | null;
}

/**
 * Strips the wrapper's marker from the start of a session's output. Feed every chunk through
 * `push`; it returns what belongs to the terminal. The marker is looked for in the first
 * SEARCH bytes, not only at byte 0: the tty echoes keys typed before the wrapper ran, and those
 * come first. Output without a marker there (an error from the runtime, a container without
 * sh) passes through untouched.
 */
export class MarkerParser {
  private head: Buffer | null = Buffer.alloc(0);
  identity: ShellIdentity | null = null;

  /** True once the marker was seen or ruled out. */
  get settled(): boolean {
    return this.head === null;
  }

  push(chunk: Buffer): Buffer {
    if (this.head === null) return chunk;
    const buf = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    const at = buf.indexOf(MARKER_PREFIX);
    if (at < 0) {
      // Keep waiting while the marker could still start within the search window.
      if (buf.length >= SEARCH) return this.giveUp(buf);
      this.head = buf;
      return Buffer.alloc(0);
    }
    const end = buf.indexOf(BEL, at + MARKER_PREFIX.length);
    if (end < 0) {
      if (buf.length - at > MARKER_MAX) return this.giveUp(buf);
      this.head = buf;
      return Buffer.alloc(0);
    }
    const m = /^(\d+):(\d*)$/.exec(buf.subarray(at + MARKER_PREFIX.length, end).toString('latin1'));
    if (!m) return this.giveUp(buf);
    this.identity = { pid: Number(m[1]), startTime: m[2] ? m[2] : null };
    this.head = null;
    return at === 0 ? buf.subarray(end + 1) : Buffer.concat([buf.subarray(0, at), buf.subarray(end + 1)]);
  }

  /** Whatever is held back (the session ended before the marker was settled). */
  flush(): Buffer {
    const rest = this.head ?? Buffer.alloc(0);
    this.head = null;
    return rest;
  }

  private giveUp(buf: Buffer): Buffer {
    this.head = null;
    return buf;
  }
}
