/**
 * What runs on a gateway session's channel once the student is in: a shell (main/streams'
 * ExecSession: tty, resize, hang-up on close), a command under a wrapper that reports its exit
 * status (command.ts), or the node's sftp-server. Each ends the session when its stream ends.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { execInContainer } from '../kube/exec';
import { PassThrough, Writable } from 'node:stream';
import type WebSocket from 'ws';
import type { ActivityRecorder } from '../engine/suspend';
import { ExecSession } from '../streams';
import { KubeStreamSocket } from '../streams/k8s-socket';
import { commandArgv, newMarker, TrailerStripper } from './command';
import { say, type LiveSession } from './connection';
import { TargetError, type NodeTarget, type NodeTargets } from './node-target';

export interface RunnerContext {
  /** For exec: the same credentials as the gateway's cluster. */
  kubeConfig: KubeConfig;
  targets: NodeTargets;
  /** Stamps the lab as used (the idle timer, engine/class-time.ts) when the student sends something. */
  activity?: ActivityRecorder;
}


async function resolveTarget(ctx: RunnerContext, live: LiveSession): Promise<NodeTarget | undefined> {
  try {
    const t = await ctx.targets.resolve(live.record.student, live.conn.node, (line) => say(live.channel, line));
    live.record.node = t.node;
    // Opening a session is using the lab, before a key is typed.
    ctx.activity?.touch(t.namespace);
    return t;
  } catch (err) {
    say(live.channel, err instanceof TargetError ? err.message : 'your lab cannot be reached right now; try again in a minute');
    live.channel.exit(1);
    live.channel.end();
    live.end();
    return undefined;
  }
}

/** Counts bytes and activity both ways; what the student sends stamps the lab as used. */
function activity(ctx: RunnerContext, live: LiveSession, dir: 'in' | 'out', n: number): void {
  live.conn.lastActivity = Date.now();
  if (dir === 'in') {
    live.record.bytesIn += n;
    ctx.activity?.touch(live.record.namespace);
  } else live.record.bytesOut += n;
}

export async function runShell(ctx: RunnerContext, live: LiveSession, pty: { cols: number; rows: number }, onResize: (fn: (c: number, r: number) => void) => void, command?: string): Promise<void> {
  const target = await resolveTarget(ctx, live);
  if (!target) return;
  const { channel } = live;
  let exec: ExecSession | undefined;
  let finished = false;
  const finish = (code: number | null, why?: string) => {
    if (finished) return;
    finished = true;
    if (why) live.record.endedBy = why;
    live.record.exitCode = code;
    try {
      channel.exit(code ?? 0);
    } catch {
      // The client is gone.
    }
    channel.end();
    live.end();
  };
  live.end = ((orig) => (why?: string) => {
    if (why && !finished) {
      say(channel, why);
      live.record.endedBy = why;
    }
    void exec?.close();
    finish(null, why);
    orig(why);
  })(live.end);
  try {
    exec = await ExecSession.start({
      kc: ctx.kubeConfig,
      target,
      cols: pty.cols,
      rows: pty.rows,
      hangupGraceMs: 1000,
      ...(command ? { command } : {}),
      onData: (chunk) => {
        activity(ctx, live, 'out', chunk.length);
        // Backpressure: stop reading from the cluster while the client's window is full.
        if (!channel.write(chunk)) {
          exec?.pause();
          channel.once('drain', () => exec?.resume());
        }
      },
      onExit: (exit) => finish(exit.code),
    });
  } catch (err) {
    say(channel, `node "${target.node}" did not open a shell: ${err instanceof Error ? err.message.replace(target.namespace, 'your lab') : String(err)}`);
    return finish(1);
  }
  if (finished) return void exec.close();
  onResize((cols, rows) => exec?.resize(cols, rows));
  channel.on('data', (d: Buffer) => {
    activity(ctx, live, 'in', d.length);
    exec?.write(d);
  });
  channel.on('close', () => live.end());
}

/** A non-tty exec with stdin; `onOut`/`onErr` get the streams, `done` the end of the connection. */
async function execIn(ctx: RunnerContext, target: NodeTarget, argv: string[], stdin: PassThrough, onOut: (b: Buffer) => void, onErr: (b: Buffer) => void): Promise<WebSocket> {
  const sink = (fn: (b: Buffer) => void) =>
    new Writable({
      write(chunk: Buffer, _e, cb) {
        fn(chunk);
        cb();
      },
    });
  const socket = new KubeStreamSocket(ctx.kubeConfig, `exec in node ${target.node}`);
  return execInContainer(ctx.kubeConfig, socket, target, argv, { stdout: sink(onOut), stderr: sink(onErr), stdin, tty: false });
}

export async function runCommand(ctx: RunnerContext, live: LiveSession, command: string): Promise<void> {
  const target = await resolveTarget(ctx, live);
  if (!target) return;
  const { channel } = live;
  const marker = newMarker();
  const stripper = new TrailerStripper(marker);
  const stdin = new PassThrough();
  let ws: WebSocket | undefined;
  channel.on('data', (d: Buffer) => {
    activity(ctx, live, 'in', d.length);
    stdin.write(d);
  });
  channel.on('end', () => stdin.end());
  const out = (b: Buffer) => {
    const pass = stripper.push(b);
    activity(ctx, live, 'out', b.length);
    if (pass.length) channel.write(pass);
  };
  const err = (b: Buffer) => {
    activity(ctx, live, 'out', b.length);
    channel.stderr.write(b);
  };
  const orig = live.end;
  live.end = (why?: string) => {
    if (why) {
      say(channel, why);
      live.record.endedBy = why;
      channel.exit(255);
      channel.end();
    }
    ws?.terminate();
    orig(why);
  };
  try {
    ws = await execIn(ctx, target, commandArgv(marker, command), stdin, out, err);
  } catch (e) {
    say(channel, `node "${target.node}" did not run the command: ${e instanceof Error ? e.message.replace(target.namespace, 'your lab') : String(e)}`);
    channel.exit(1);
    channel.end();
    return live.end();
  }
  await new Promise<void>((resolve) => {
    if (ws!.readyState === ws!.CLOSED) return resolve();
    ws!.once('close', () => resolve());
    ws!.once('error', () => ws!.terminate());
  });
  const end = stripper.finish();
  if (end.rest.length) channel.write(end.rest);
  live.record.exitCode = end.code;
  if (end.code === null) say(channel, 'the connection to the node ended before the command reported its exit status');
  try {
    channel.exit(end.code ?? 255);
  } catch {
    // The client is gone.
  }
  channel.end();
  live.end();
}

export async function runSftp(ctx: RunnerContext, live: LiveSession): Promise<void> {
  const target = await resolveTarget(ctx, live);
  if (!target) return;
  const { channel } = live;
  // Where Debian, Alpine, Fedora and Arch put OpenSSH's sftp-server; a marker line says which, or none.
  const marker = newMarker();
  const probe = ['sh', '-c', `for p in /usr/lib/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server /usr/lib/sftp-server; do if [ -x "$p" ]; then echo "$1 $p"; exit 0; fi; done; echo "$1 none"`, 'labforge-sftp', marker];
  let found = '';
  const empty = new PassThrough();
  empty.end();
  try {
    const ws = await execIn(ctx, target, probe, empty, (b) => (found += b.toString('latin1')), () => undefined);
    await new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())));
  } catch {
    found = '';
  }
  const path = new RegExp(`${marker} (\\S+)`).exec(found)?.[1];
  if (!path || path === 'none') {
    say(channel, `sftp is not available on node "${target.node}": it has no sftp-server (install openssh-sftp-server in its image), so sftp and scp cannot work there; use ssh with cat or tar instead`);
    channel.exit(1);
    channel.end();
    return live.end();
  }
  const stdin = new PassThrough();
  channel.on('data', (d: Buffer) => {
    activity(ctx, live, 'in', d.length);
    stdin.write(d);
  });
  channel.on('end', () => stdin.end());
  let ws: WebSocket;
  try {
    ws = await execIn(ctx, target, [path], stdin, (b) => {
      activity(ctx, live, 'out', b.length);
      channel.write(b);
    }, () => undefined);
  } catch {
    say(channel, `node "${target.node}" did not start its sftp-server`);
    channel.exit(1);
    channel.end();
    return live.end();
  }
  const orig = live.end;
  live.end = (why?: string) => {
    ws.terminate();
    if (why) live.record.endedBy = why;
    orig(why);
  };
  ws.once('close', () => {
    channel.exit(0);
    channel.end();
    live.end();
  });
}

