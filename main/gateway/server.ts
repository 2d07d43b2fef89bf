/**
 * The SSH gateway: an SSH server (the `ssh2` package) that lets a student in with their public
 * key and puts them in a shell, a command or sftp inside their own lab's nodes, through the
 * Kubernetes exec API.
 *
 * - Auth is public key only, the signature verified against the key found in the class's key
 *   index (key-index.ts). Failures are limited per source address and per (address, user name),
 *   never per user name alone: failures naming a student from elsewhere would lock the real
 *   student out. A key offered without a signature is a question ("would you take this key?"),
 *   which OpenSSH asks for every key it holds before it signs with one; it is never a failure.
 * - A shell is main/streams' ExecSession (tty, resize, hang-up on close); a command runs under
 *   a wrapper that reports its exit status (command.ts); sftp runs the node's sftp-server.
 * - Refused, with a line on the session's stderr saying so: port forwarding (-L, -R, -D, -W),
 *   agent and X11 forwarding, and subsystems other than sftp.
 * - Limits: sessions per student, idle time, auth attempts per connection, open connections in
 *   all and per source address. The gateway accepts TCP itself and hands sockets to ssh2, so a
 *   socket is timed from accept: one that never sends its identification line is closed (ssh2
 *   only reports a connection once that line came). A connection that errors (reset, garbage)
 *   is dropped alone; the server keeps serving.
 * - A key that is revoked or expires ends its live connections within `revalidateMs`.
 * - Every session is audited (audit.ts); when wipe is on, a student's last session ending
 *   resets their namespace (wipe.ts).
 */
import { Exec, type KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ServerChannel, type Session } from 'ssh2';
import type WebSocket from 'ws';
import type { Cluster } from '../kube/cluster';
import { ExecSession } from '../streams';
import { KubeStreamSocket } from '../streams/k8s-socket';
import { recordSession, type SessionRecord } from './audit';
import { commandArgv, newMarker, TrailerStripper } from './command';
import type { HostKey } from './host-key';
import { KeyIndex } from './key-index';
import type { StoredKey } from './key-store';
import { FailureLimiter, type WindowLimit } from './limits';
import { NodeTargets, parseUser, TargetError, type NodeTarget } from './node-target';
import { wipeStudent, type WipeVolumes } from './wipe';

export interface GatewayLimits {
  authFailuresPerAddress: WindowLimit;
  /** Failures of one user name from one address. */
  authFailuresPerUser: WindowLimit;
  /** Public keys a connection may offer before it is closed. */
  authAttemptsPerConnection: number;
  sessionsPerStudent: number;
  /** A connection with no bytes either way for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections in all (authenticated or not). */
  maxConnections: number;
  /** Open connections from one source address (a class behind one NAT shares it). */
  maxConnectionsPerAddress: number;
  /** A socket must send its SSH identification line within this of being accepted. */
  identTimeoutMs: number;
  /** A connection must authenticate within this of being accepted. */
  loginGraceMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  authFailuresPerAddress: { failures: 30, windowMs: 60_000 },
  authFailuresPerUser: { failures: 10, windowMs: 60_000 },
  authAttemptsPerConnection: 6,
  sessionsPerStudent: 8,
  idleTimeoutMs: 30 * 60_000,
  maxConnections: 2000,
  maxConnectionsPerAddress: 100,
  identTimeoutMs: 10_000,
  loginGraceMs: 30_000,
};

/** The loopback address the gateway listens on unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

export interface GatewayOptions {
  cluster: Cluster;
  /** For exec: the same credentials as `cluster`. */
  kubeConfig: KubeConfig;
  className: string;
  hostKey: HostKey;
  host?: string;
  port?: number;
  limits?: Partial<GatewayLimits>;
  /** Reset a student's namespace when their last session ends (off when undefined). */
  wipe?: { volumes: WipeVolumes };
  /** How often live connections' keys are checked again (expiry); revocations are seen at once. */
  revalidateMs?: number;
  /** One JSON object per line; never key material or tokens. */
  log?: (entry: Record<string, unknown>) => void;
}

/** A TCP connection from accept until it closes: its clocks run whatever ssh2 makes of it. */
interface Admitted {
  socket: Socket;
  identified: boolean;
  loggedIn: boolean;
}

interface Conn {
  id: number;
  client: Connection;
  admitted: Admitted | undefined;
  address: string;
  attempts: number;
  student?: string;
  node?: string;
  key?: StoredKey;
  lastActivity: number;
  sessions: Set<LiveSession>;
  /** Refusals said on the next session's stderr (X11 and agent requests come before it). */
  notices: string[];
  closed: boolean;
}

interface LiveSession {
  conn: Conn;
  channel: ServerChannel;
  record: Omit<SessionRecord, 'end'>;
  end: (why?: string) => void;
}

// ssh2 is CommonJS: its default export works under Node's ESM loader and bundlers alike.
const { Server, utils } = ssh2;

/** The failure limit's key for one user name from one address. */
const userKey = (address: string, user: string) => `${address} ${user}`;

const say = (channel: ServerChannel, text: string) => {
  try {
    channel.stderr.write(`labforge: ${text}\r\n`);
  } catch {
    // The channel is already closing; nothing else to tell.
  }
};

export class Gateway {
  private server: InstanceType<typeof Server> | undefined;
  private tcp: NetServer | undefined;
  /** Sockets accepted and not yet closed, by `address:port` (how ssh2 names a connection). */
  private readonly admitted = new Map<string, Admitted>();
  private readonly openPerAddress = new Map<string, number>();
  private readonly index: KeyIndex;
  private readonly targets: NodeTargets;
  private readonly limits: GatewayLimits;
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;
  private readonly conns = new Set<Conn>();
  private readonly perStudent = new Map<string, number>();
  private readonly wiping = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly instance = `${hostname()}-${process.pid}`;
  /** Figures for tests and the benchmark. */
  readonly stats = { connections: 0, authFailures: 0, keysDeclined: 0, rateLimited: 0, sessions: 0, connectionErrors: 0, wipes: 0, wipeFailures: 0, refusedPerAddress: 0, identTimeouts: 0, loginTimeouts: 0 };

  constructor(private readonly opts: GatewayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.byAddress = new FailureLimiter(this.limits.authFailuresPerAddress);
    this.byUser = new FailureLimiter(this.limits.authFailuresPerUser);
    this.log = opts.log ?? ((e) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`));
    this.index = new KeyIndex(opts.cluster, opts.className, {
      onChange: () => this.revalidate('key revoked'),
      onError: (err) => this.log({ event: 'key-watch-error', error: err.message }),
    });
    this.targets = new NodeTargets(opts.cluster, opts.className);
  }

  /** Loads the key index, then listens; resolves with the port. */
  async start(): Promise<number> {
    await this.index.start();
    const server = new Server({ hostKeys: [this.opts.hostKey.privateKey], ident: 'labforge-gateway' }, (client, info) => this.accept(client, info.ip, info.port));
    this.server = server;
    server.on('error', (err: Error) => this.log({ event: 'server-error', error: err.message }));
    // The gateway owns the listening socket and hands each connection to ssh2, which reports a
    // connection only once its identification line came: the limits must start at accept.
    const tcp = createServer((socket) => this.admit(socket));
    this.tcp = tcp;
    tcp.maxConnections = this.limits.maxConnections;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.opts.port ?? 2222, this.opts.host ?? DEFAULT_HOST, () => {
        tcp.off('error', reject);
        tcp.on('error', (err: Error) => this.log({ event: 'server-error', error: err.message }));
        resolve();
      });
    });
    const sweepMs = Math.min(this.opts.revalidateMs ?? 15_000, Math.max(1000, this.limits.idleTimeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
    const port = (tcp.address() as AddressInfo).port;
    this.log({ event: 'listening', class: this.opts.className, address: this.opts.host ?? DEFAULT_HOST, port, hostKey: this.opts.hostKey.fingerprint, keyIndex: this.index.mode });
    return port;
  }

  /** Live connections and sessions, by student (for tests and the log). */
  sessionsOf(student: string): number {
    return this.perStudent.get(student) ?? 0;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Resolves when a wipe that is running for the student has finished. */
  async wipeDone(student: string): Promise<void> {
    await this.wiping.get(student);
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.index.stop();
    for (const c of this.conns) this.closeConn(c, 'the gateway is shutting down');
    // Sockets that never became an SSH connection have no one to say goodbye to.
    for (const a of this.admitted.values()) if (!a.identified) a.socket.destroy();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await Promise.allSettled([...this.wiping.values()]);
  }

  /**
   * A TCP connection: refused past the per-address limit, else handed to ssh2 with two clocks
   * started, one for the identification line and one for the login.
   */
  private admit(socket: Socket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (address === undefined || port === undefined) return void socket.destroy();
    const open = this.openPerAddress.get(address) ?? 0;
    if (open >= this.limits.maxConnectionsPerAddress) {
      this.stats.refusedPerAddress++;
      this.log({ event: 'connection-refused', address, why: `${open} connections open from this address, the most allowed` });
      return void socket.destroy();
    }
    this.openPerAddress.set(address, open + 1);
    const entry: Admitted = { socket, identified: false, loggedIn: false };
    const key = `${address}:${port}`;
    this.admitted.set(key, entry);
    const clock = (afterMs: number, done: () => boolean, event: string, count: 'identTimeouts' | 'loginTimeouts') => {
      const timer = setTimeout(() => {
        if (done()) return;
        this.stats[count]++;
        this.log({ event, address, afterMs });
        socket.destroy();
      }, afterMs);
      timer.unref();
      return timer;
    };
    const ident = clock(this.limits.identTimeoutMs, () => entry.identified, 'ident-timeout', 'identTimeouts');
    const login = clock(this.limits.loginGraceMs, () => entry.loggedIn, 'login-timeout', 'loginTimeouts');
    socket.once('close', () => {
      clearTimeout(ident);
      clearTimeout(login);
      this.admitted.delete(key);
      const left = (this.openPerAddress.get(address) ?? 1) - 1;
      if (left > 0) this.openPerAddress.set(address, left);
      else this.openPerAddress.delete(address);
    });
    this.server!.injectSocket(socket);
  }

  private accept(client: Connection, address: string, port: number): void {
    const admitted = this.admitted.get(`${address}:${port}`);
    if (admitted) admitted.identified = true;
    const conn: Conn = { id: this.nextId++, client, admitted, address, attempts: 0, lastActivity: Date.now(), sessions: new Set(), notices: [], closed: false };
    this.conns.add(conn);
    this.stats.connections++;
    // Anything a peer sends that breaks the protocol ends its connection only.
    client.on('error', (err: Error) => {
      this.stats.connectionErrors++;
      this.log({ event: 'connection-error', connection: conn.id, address, error: err.message.slice(0, 200) });
    });
    client.on('close', () => {
      conn.closed = true;
      for (const s of conn.sessions) s.end();
      this.conns.delete(conn);
    });
    client.on('authentication', (ctx) => this.authenticate(conn, ctx));
    client.on('ready', () => {
      if (conn.admitted) conn.admitted.loggedIn = true;
      conn.lastActivity = Date.now();
      this.log({ event: 'login', connection: conn.id, student: conn.student, node: conn.node ?? null, fingerprint: conn.key?.fingerprint, address });
      client.on('session', (accept) => this.session(conn, accept()));
      // -L and -W open direct-tcpip channels; -R asks with a global request.
      client.on('tcpip', (_accept, reject, info) => {
        reject();
        this.notice(conn, `port forwarding is not offered by this gateway (refused ${info.destIP}:${info.destPort})`);
      });
      client.on('openssh.streamlocal', (_accept, reject) => {
        reject();
        this.notice(conn, 'socket forwarding is not offered by this gateway');
      });
      client.on('request', (_accept, reject, name) => {
        reject?.();
        if (name === 'tcpip-forward' || (name as string) === 'streamlocal-forward@openssh.com') this.notice(conn, 'remote port forwarding (-R) is not offered by this gateway');
      });
    });
  }

  /** Says a refusal on the connection's live sessions, or on its next one. */
  private notice(conn: Conn, text: string): void {
    const live = [...conn.sessions];
    if (live.length) for (const s of live) say(s.channel, text);
    else if (conn.notices.length < 8) conn.notices.push(text);
  }

  /** A refused attempt that proves nothing wrong (a key query): it counts toward the connection's attempts only. */
  private decline(conn: Conn, ctx: AuthContext, user: string, why: string): void {
    this.stats.keysDeclined++;
    this.log({ event: 'auth-key-declined', connection: conn.id, user: user.slice(0, 64), address: conn.address, why });
    ctx.reject(['publickey']);
    if (++conn.attempts >= this.limits.authAttemptsPerConnection) this.closeConn(conn);
  }

  private fail(conn: Conn, ctx: AuthContext, user: string, why: string): void {
    this.stats.authFailures++;
    this.byAddress.fail(conn.address);
    this.byUser.fail(userKey(conn.address, user));
    this.log({ event: 'auth-failed', connection: conn.id, user: user.slice(0, 64), address: conn.address, why });
    ctx.reject(['publickey']);
    if (++conn.attempts >= this.limits.authAttemptsPerConnection) this.closeConn(conn);
  }

  private authenticate(conn: Conn, ctx: AuthContext): void {
    // Failures count per student, whichever node the name asks for.
    const user = parseUser(ctx.username)?.student ?? ctx.username;
    const pair = userKey(conn.address, user);
    if (this.byAddress.blocked(conn.address) || this.byUser.blocked(pair)) {
      this.stats.rateLimited++;
      this.log({ event: 'auth-rate-limited', connection: conn.id, user: user.slice(0, 64), address: conn.address, retryAfterMs: Math.max(this.byAddress.retryAfterMs(conn.address), this.byUser.retryAfterMs(pair)) });
      ctx.reject([]);
      this.closeConn(conn);
      return;
    }
    if (ctx.method !== 'publickey') {
      // The client asking which methods exist ("none") is not a failure.
      if (ctx.method === 'none') return ctx.reject(['publickey']);
      return this.fail(conn, ctx, user, `method ${ctx.method} is not offered`);
    }
    const parsed = parseUser(ctx.username);
    const offered = ctx.key.data;
    const key = parsed ? this.index.keysOf(parsed.student).find((k) => k.blob.equals(offered)) : undefined;
    if (!ctx.signature) {
      // "Would you take this key?": OpenSSH asks it for each key it holds before it signs with
      // one, so a student with several keys asks it several times per login. Not a failure.
      if (!key) return this.decline(conn, ctx, user, parsed ? 'no such valid key for this student' : 'malformed user name');
      return ctx.accept();
    }
    if (!parsed) return this.fail(conn, ctx, user, 'malformed user name');
    if (!key) return this.fail(conn, ctx, user, 'no such valid key for this student');
    const pub = utils.parseKey(offered);
    if (pub instanceof Error || !ctx.blob || !pub.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return this.fail(conn, ctx, user, 'bad signature');
    if (this.wiping.has(parsed.student)) {
      this.log({ event: 'auth-refused', connection: conn.id, student: parsed.student, why: 'lab is being reset' });
      ctx.reject([]);
      return this.closeConn(conn);
    }
    conn.student = parsed.student;
    if (parsed.node !== undefined) conn.node = parsed.node;
    conn.key = key;
    ctx.accept();
  }

  private session(conn: Conn, session: Session): void {
    let pty: { cols: number; rows: number; term: string } | undefined;
    let started: LiveSession | undefined;
    let resize: ((cols: number, rows: number) => void) | undefined;
    session.on('pty', (accept, _reject, info) => {
      pty = { cols: info.cols || 80, rows: info.rows || 24, term: info.term };
      accept?.();
    });
    session.on('window-change', (accept, _reject, info) => {
      if (pty) pty = { ...pty, cols: info.cols, rows: info.rows };
      resize?.(info.cols, info.rows);
      accept?.();
    });
    session.on('env', (_accept, reject) => reject?.());
    session.on('signal', (accept) => accept?.());
    session.on('x11', (_accept, reject) => {
      reject?.();
      this.notice(conn, 'X11 forwarding is not offered by this gateway');
    });
    session.on('auth-agent', (_accept, reject) => {
      reject?.();
      this.notice(conn, 'agent forwarding is not offered by this gateway');
    });
    const open = (kind: 'shell' | 'exec' | 'sftp', channel: ServerChannel) => {
      for (const n of conn.notices.splice(0)) say(channel, n);
      const refuse = (text: string) => {
        say(channel, text);
        channel.exit(1);
        channel.end();
      };
      if (!conn.student || !conn.key) return refuse('not logged in');
      if (this.sessionsOf(conn.student) >= this.limits.sessionsPerStudent) return refuse(`you have ${this.limits.sessionsPerStudent} sessions open, the most allowed; close one first`);
      const live = this.track(conn, channel, kind);
      started = live;
      return live;
    };
    session.on('shell', (accept) => {
      const channel = accept();
      const live = open('shell', channel);
      if (live) void this.runShell(live, pty ?? { cols: 80, rows: 24, term: 'xterm' }, (fn) => (resize = fn));
    });
    session.on('exec', (accept, _reject, info) => {
      const channel = accept();
      const live = open('exec', channel);
      // With a tty asked for (`ssh -t host cmd`) the command runs in one, as a shell does; else plain pipes.
      if (live && pty) void this.runShell(live, pty, (fn) => (resize = fn), info.command);
      else if (live) void this.runCommand(live, info.command);
    });
    session.on('subsystem', (accept, _reject, info) => {
      const channel = accept();
      if (info.name !== 'sftp') {
        for (const n of conn.notices.splice(0)) say(channel, n);
        say(channel, `subsystem "${info.name.slice(0, 40)}" is not offered by this gateway (only sftp is)`);
        channel.exit(1);
        channel.end();
        return;
      }
      const live = open('sftp', channel);
      if (live) void this.runSftp(live);
    });
    session.on('close', () => started?.end());
  }

  /** Counts the session against the student and records it for the audit. */
  private track(conn: Conn, channel: ServerChannel, kind: string): LiveSession {
    const student = conn.student!;
    this.perStudent.set(student, (this.perStudent.get(student) ?? 0) + 1);
    this.stats.sessions++;
    let ended = false;
    const live: LiveSession = {
      conn,
      channel,
      record: { student, fingerprint: conn.key!.fingerprint, namespace: conn.key!.namespace, node: conn.node ?? '(entry)', kind, address: conn.address, start: new Date(), bytesIn: 0, bytesOut: 0 },
      end: () => {
        if (ended) return;
        ended = true;
        conn.sessions.delete(live);
        const left = (this.perStudent.get(student) ?? 1) - 1;
        if (left > 0) this.perStudent.set(student, left);
        else this.perStudent.delete(student);
        void recordSession(this.opts.cluster, { ...live.record, end: new Date() }, this.instance, this.log);
        if (left === 0 && this.opts.wipe) this.wipe(student);
      },
    };
    conn.sessions.add(live);
    channel.on('error', () => live.end());
    return live;
  }

  private wipe(student: string): void {
    if (this.wiping.has(student) || !this.opts.wipe) return;
    const volumes = this.opts.wipe.volumes;
    this.log({ event: 'wipe-start', student, volumes });
    const p = wipeStudent(this.opts.cluster, this.opts.className, student, volumes)
      .then(() => {
        this.stats.wipes++;
        this.log({ event: 'wipe-done', student });
      })
      .catch((err: unknown) => {
        this.stats.wipeFailures++;
        this.log({ event: 'wipe-failed', student, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => this.wiping.delete(student));
    this.wiping.set(student, p);
  }

  private async target(live: LiveSession): Promise<NodeTarget | undefined> {
    try {
      const t = await this.targets.resolve(live.record.student, live.conn.node);
      live.record.node = t.node;
      return t;
    } catch (err) {
      say(live.channel, err instanceof TargetError ? err.message : 'your lab cannot be reached right now; try again in a minute');
      live.channel.exit(1);
      live.channel.end();
      live.end();
      return undefined;
    }
  }

  /** Counts bytes and activity both ways. */
  private activity(live: LiveSession, dir: 'in' | 'out', n: number): void {
    live.conn.lastActivity = Date.now();
    if (dir === 'in') live.record.bytesIn += n;
    else live.record.bytesOut += n;
  }

  private async runShell(live: LiveSession, pty: { cols: number; rows: number }, onResize: (fn: (c: number, r: number) => void) => void, command?: string): Promise<void> {
    const target = await this.target(live);
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
        kc: this.opts.kubeConfig,
        target,
        cols: pty.cols,
        rows: pty.rows,
        hangupGraceMs: 1000,
        ...(command ? { command } : {}),
        onData: (chunk) => {
          this.activity(live, 'out', chunk.length);
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
      this.activity(live, 'in', d.length);
      exec?.write(d);
    });
    channel.on('close', () => live.end());
  }

  /** A non-tty exec with stdin; `onOut`/`onErr` get the streams, `done` the end of the connection. */
  private async exec(target: NodeTarget, argv: string[], stdin: PassThrough, onOut: (b: Buffer) => void, onErr: (b: Buffer) => void): Promise<WebSocket> {
    const sink = (fn: (b: Buffer) => void) =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          fn(chunk);
          cb();
        },
      });
    const socket = new KubeStreamSocket(this.opts.kubeConfig, `exec in node ${target.node}`);
    return new Exec(this.opts.kubeConfig, socket).exec(target.namespace, target.pod, target.container, argv, sink(onOut), sink(onErr), stdin, false);
  }

  private async runCommand(live: LiveSession, command: string): Promise<void> {
    const target = await this.target(live);
    if (!target) return;
    const { channel } = live;
    const marker = newMarker();
    const stripper = new TrailerStripper(marker);
    const stdin = new PassThrough();
    let ws: WebSocket | undefined;
    channel.on('data', (d: Buffer) => {
      this.activity(live, 'in', d.length);
      stdin.write(d);
    });
    channel.on('end', () => stdin.end());
    const out = (b: Buffer) => {
      const pass = stripper.push(b);
      this.activity(live, 'out', b.length);
      if (pass.length) channel.write(pass);
    };
    const err = (b: Buffer) => {
      this.activity(live, 'out', b.length);
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
      ws = await this.exec(target, commandArgv(marker, command), stdin, out, err);
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

  private async runSftp(live: LiveSession): Promise<void> {
    const target = await this.target(live);
    if (!target) return;
    const { channel } = live;
    // Where Debian, Alpine, Fedora and Arch put OpenSSH's sftp-server; a marker line says which, or none.
    const marker = newMarker();
    const probe = ['sh', '-c', `for p in /usr/lib/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server /usr/lib/sftp-server; do if [ -x "$p" ]; then echo "$1 $p"; exit 0; fi; done; echo "$1 none"`, 'labforge-sftp', marker];
    let found = '';
    const empty = new PassThrough();
    empty.end();
    try {
      const ws = await this.exec(target, probe, empty, (b) => (found += b.toString('latin1')), () => undefined);
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
      this.activity(live, 'in', d.length);
      stdin.write(d);
    });
    channel.on('end', () => stdin.end());
    let ws: WebSocket;
    try {
      ws = await this.exec(target, [path], stdin, (b) => {
        this.activity(live, 'out', b.length);
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

  /** Ends connections whose key is gone or expired, and idle ones. */
  private revalidate(why: string): void {
    const now = Date.now();
    for (const c of this.conns) {
      if (c.student && c.key && !this.index.isValid(c.student, c.key.fingerprint, now)) {
        this.log({ event: 'key-invalid', connection: c.id, student: c.student, fingerprint: c.key.fingerprint, why });
        this.closeConn(c, 'your key was revoked or has expired; this session ends');
      }
    }
  }

  private sweep(): void {
    this.revalidate('key expired');
    const now = Date.now();
    for (const c of this.conns) {
      if (c.student && now - c.lastActivity > this.limits.idleTimeoutMs) {
        this.log({ event: 'idle', connection: c.id, student: c.student });
        this.closeConn(c, `idle for ${Math.round(this.limits.idleTimeoutMs / 60_000) || Math.round(this.limits.idleTimeoutMs / 1000) + 's'}${this.limits.idleTimeoutMs >= 60_000 ? ' minutes' : ''}; this session ends`);
      }
    }
  }

  private closeConn(c: Conn, why?: string): void {
    if (c.closed) return;
    for (const s of [...c.sessions]) s.end(why);
    // Let the goodbye lines reach the client before the socket goes.
    setTimeout(() => {
      try {
        c.client.end();
      } catch {
        // Already gone.
      }
    }, why ? 200 : 0).unref();
  }
}
