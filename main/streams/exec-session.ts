/**
 * One interactive shell in a container: client-node's `Exec` with a tty and stdin, resized
 * through its terminal size queue, readable in a paused/resumed way for backpressure, and
 * closed by hanging the shell up (see shell.ts for why closing the socket is not enough).
 */
import type { KubeConfig, V1Status } from '@kubernetes/client-node';
import { execInContainer } from '../kube/exec';
import { PassThrough, Writable } from 'node:stream';
import type WebSocket from 'ws';
import { TerminalError, toTerminalError } from './errors';
import { KubeStreamSocket } from './k8s-socket';
import { hangupCommand, MarkerParser, shellCommand, type ShellIdentity } from './shell';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecExit {
  /** 'exited': the process ended (status received); 'dropped': the connection ended without one. */
  kind: 'exited' | 'dropped';
  /** The exit code, when the runtime reported one. */
  code: number | null;
  message: string;
}

export interface ExecSessionOptions {
  kc: KubeConfig;
  target: ExecTarget;
  cols: number;
  rows: number;
  /** Bytes for the terminal (the marker already stripped). */
  onData: (chunk: Buffer) => void;
  /** Once, when the process exits or the connection drops; not after `close()`. */
  onExit: (exit: ExecExit) => void;
  /** How long the shell gets to leave after SIGHUP before SIGKILL. */
  hangupGraceMs?: number;
  /** A command to run in the tty instead of an interactive shell (`ssh -t host cmd`). */
  command?: string;
}

/**
 * The exit code in a remote-command Status. A standard runtime sends reason NonZeroExitCode
 * with an ExitCode cause; kwok (the local cluster) sends an InternalError whose message ends in
 * "exit status N" (docs/cluster.md).
 */
export function exitFromStatus(status: V1Status): ExecExit {
  if (status.status === 'Success') return { kind: 'exited', code: 0, message: 'the shell exited' };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  let code = cause?.message !== undefined && /^\d+$/.test(cause.message) ? Number(cause.message) : null;
  if (code === null) {
    const m = /exit (?:status|code) (\d+)/.exec(status.message ?? '');
    if (m) code = Number(m[1]);
  }
  if (code !== null) return { kind: 'exited', code, message: `the process exited with code ${code}` };
  const signal = /signal: (\w+)/.exec(status.message ?? '');
  if (signal) return { kind: 'exited', code: null, message: `the process was ended by signal ${signal[1]}` };
  return { kind: 'exited', code: null, message: status.message ? `the session ended: ${status.message}` : 'the session ended' };
}

/** A Writable client-node treats as a resizable tty (it reads `rows`/`columns` on 'resize'). */
class TtyOutput extends Writable {
  rows: number;
  columns: number;
  constructor(cols: number, rows: number, private readonly sink: (chunk: Buffer) => void) {
    super();
    this.columns = cols;
    this.rows = rows;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sink(chunk);
    cb();
  }
}

/** Runs a non-tty command in the container and waits for its status. */
export async function runOnce(kc: KubeConfig, target: ExecTarget, command: string[], timeoutMs = 15_000): Promise<{ stdout: string; status: V1Status }> {
  let stdout = '';
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (stdout.length < 1_000_000) stdout += chunk.toString('utf8');
      cb();
    },
  });
  const socket = new KubeStreamSocket(kc, `exec in pod ${target.namespace}/${target.pod}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.socket?.terminate();
      reject(new TerminalError('unreachable', `no answer from exec in pod ${target.namespace}/${target.pod} within ${timeoutMs} ms`));
    }, timeoutMs);
    execInContainer(kc, socket, target, command, {
      stdout: out,
      stderr: null,
      stdin: null,
      tty: false,
      onStatus: (status) => {
        clearTimeout(timer);
        resolve({ stdout, status });
      },
    })
      .then((ws) =>
        ws.on('close', () => {
          clearTimeout(timer);
          reject(new TerminalError('unreachable', `exec in pod ${target.namespace}/${target.pod} closed without a status`));
        }),
      )
      .catch((err: unknown) => {
        clearTimeout(timer);
        reject(toTerminalError(err, `exec in pod ${target.namespace}/${target.pod}`));
      });
  });
}

export class ExecSession {
  private readonly stdin = new PassThrough();
  private readonly out: TtyOutput;
  private readonly marker = new MarkerParser();
  private ws: WebSocket | null = null;
  private ended = false;
  private closing: Promise<void> | null = null;
  private identityWaiters: ((id: ShellIdentity | null) => void)[] = [];
  /** Keys typed before the wrapper reported: held so the tty cannot echo them ahead of the marker. */
  private typeAhead: Buffer[] = [];

  private constructor(private readonly opts: ExecSessionOptions) {
    this.out = new TtyOutput(opts.cols, opts.rows, (chunk) => {
      const wasSettled = this.marker.settled;
      const rest = this.marker.push(chunk);
      if (!wasSettled && this.marker.settled) this.settleIdentity();
      if (rest.length && !this.closing) opts.onData(rest);
    });
  }

  /** Starts the shell; rejects with a TerminalError when the API server refuses the exec. */
  static async start(opts: ExecSessionOptions): Promise<ExecSession> {
    const s = new ExecSession(opts);
    await s.connect();
    return s;
  }

  /** The shell's PID (in the container's PID namespace) once the wrapper reported it. */
  get identity(): ShellIdentity | null {
    return this.marker.identity;
  }

  /** Waits until the wrapper reported the PID (null if it never will). */
  whenIdentified(timeoutMs = 5000): Promise<ShellIdentity | null> {
    if (this.marker.settled || this.ended) return Promise.resolve(this.marker.identity);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.marker.identity), timeoutMs);
      this.identityWaiters.push((id) => {
        clearTimeout(timer);
        resolve(id);
      });
    });
  }

  private settleIdentity() {
    for (const w of this.identityWaiters.splice(0)) w(this.marker.identity);
    if (!this.ended && !this.closing) for (const d of this.typeAhead) this.stdin.write(d);
    this.typeAhead = [];
  }

  private async connect() {
    const { kc, target } = this.opts;
    const socket = new KubeStreamSocket(kc, `exec in pod ${target.namespace}/${target.pod} (container ${target.container})`);
    this.ws = await execInContainer(kc, socket, target, shellCommand(this.opts.command), { stdout: this.out, stderr: null, stdin: this.stdin, tty: true, onStatus: (status) => this.finish(exitFromStatus(status)) });
    this.ws.on('close', (code) => this.finish({ kind: 'dropped', code: null, message: `the connection to the cluster closed (WebSocket code ${code})` }));
  }

  private finish(exit: ExecExit) {
    if (this.ended) return;
    this.ended = true;
    const rest = this.marker.flush();
    this.settleIdentity();
    if (this.closing) return;
    if (rest.length) this.opts.onData(rest);
    this.opts.onExit(exit);
  }

  get exited(): boolean {
    return this.ended;
  }

  write(data: Buffer): void {
    if (this.ended || this.closing) return;
    if (this.marker.settled) this.stdin.write(data);
    else if (this.typeAhead.length < 1024) this.typeAhead.push(data);
  }

  resize(cols: number, rows: number): void {
    if (this.ended || (cols === this.out.columns && rows === this.out.rows)) return;
    this.out.columns = cols;
    this.out.rows = rows;
    // client-node's TerminalSizeQueue listens for this and sends the size on the resize channel.
    this.out.emit('resize');
  }

  /** Stops reading from the cluster: the remote writer blocks once the TCP windows fill. */
  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  /**
   * Ends the session: hangs the shell up through a second exec (SIGHUP, then SIGKILL after the
   * grace period), then closes the socket. Resolves when both are done.
   */
  close(): Promise<void> {
    return (this.closing ??= this.hangUp());
  }

  private async hangUp(): Promise<void> {
    // Output from now on is dropped; reading on keeps the remote side from blocking on a full pipe.
    this.ws?.resume();
    if (!this.ended) {
      // The marker comes first; a pane closed within milliseconds of opening may not have it yet.
      const id = await this.whenIdentified(3000);
      if (id && !this.ended) {
        const grace = this.opts.hangupGraceMs ?? 2000;
        const hangup = () => runOnce(this.opts.kc, this.opts.target, hangupCommand(id.pid, id.startTime, grace), grace + 15_000);
        // One retry: a busy API server can drop a single exec; the shell must not outlive its pane.
        await hangup().catch(() => hangup()).catch(() => undefined);
      }
    }
    this.stdin.end();
    const ws = this.ws;
    if (ws && ws.readyState !== ws.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.resume();
        ws.close();
      });
    }
    this.ended = true;
  }
}
