/**
 * The SSH gateway: an SSH server (the `ssh2` package) that lets a student in with their public
 * key and puts them in a shell, a command or sftp inside their own lab's nodes, through the
 * Kubernetes exec API.
 *
 * - Auth is public key only (authenticate.ts); what runs on a session's channel, a shell, a
 *   command or sftp, is channel-runners.ts.
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
import { hostname } from 'node:os';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ServerChannel, type Session } from 'ssh2';
import { classSelector } from '../engine/publish';
import { ActivityRecorder, recordActivity } from '../engine/suspend';
import { standingWarning } from '../engine/suspension';
import { NAMESPACE } from '../kube/kinds';
import { recordSession } from './audit';
import { Authenticator } from './authenticate';
import { runCommand, runShell, runSftp, type RunnerContext } from './channel-runners';
import { newStats, say, type Admitted, type Conn, type LiveSession } from './connection';
import { KeyIndex } from './key-index';
import { NodeTargets } from './node-target';
import { DEFAULT_HOST, DEFAULT_LIMITS, type GatewayLimits, type GatewayOptions } from './options';
import { wipeStudent } from './wipe';

// ssh2 is CommonJS: its default export works under Node's ESM loader and bundlers alike.
const { Server } = ssh2;

export class Gateway {
  private server: InstanceType<typeof Server> | undefined;
  private tcp: NetServer | undefined;
  /** Sockets accepted and not yet closed, by `address:port` (how ssh2 names a connection). */
  private readonly admitted = new Map<string, Admitted>();
  private readonly openPerAddress = new Map<string, number>();
  private readonly index: KeyIndex;
  private readonly targets: NodeTargets;
  private readonly limits: GatewayLimits;
  private readonly auth: Authenticator;
  private readonly runners: RunnerContext;
  private readonly conns = new Set<Conn>();
  private readonly perStudent = new Map<string, number>();
  private readonly wiping = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private warningTimer: NodeJS.Timeout | undefined;
  /** The idle warning each open session was shown (by its suspend time), so each is said once. */
  private readonly warned = new WeakMap<LiveSession, string>();
  private nextId = 1;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly instance = `${hostname()}-${process.pid}`;
  /** Figures for tests and the benchmark. */
  readonly stats = newStats();

  constructor(private readonly opts: GatewayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.log ?? ((e) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`));
    this.index = new KeyIndex(opts.cluster, opts.className, {
      onChange: () => this.revalidate('key revoked'),
      onError: (err) => this.log({ event: 'key-watch-error', error: err.message }),
    });
    this.targets = new NodeTargets(opts.cluster, opts.className, opts.resumeOnLogin ?? true);
    this.auth = new Authenticator({ index: this.index, limits: this.limits, stats: this.stats, log: this.log, isWiping: (s) => this.wiping.has(s), close: (c) => this.closeConn(c) });
    this.runners = {
      kubeConfig: opts.kubeConfig,
      targets: this.targets,
      activity: new ActivityRecorder((ns, at) => recordActivity(opts.cluster, ns, at), 60_000, (err) => this.log({ event: 'activity-error', error: err instanceof Error ? err.message : String(err) })),
    };
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
    this.warningTimer = setInterval(() => void this.showWarnings(), this.opts.warningCheckMs ?? 30_000);
    this.warningTimer.unref();
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
    if (this.warningTimer) clearInterval(this.warningTimer);
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
    client.on('authentication', (ctx) => this.auth.authenticate(conn, ctx));
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
      if (live) void runShell(this.runners, live, pty ?? { cols: 80, rows: 24, term: 'xterm' }, (fn) => (resize = fn));
    });
    session.on('exec', (accept, _reject, info) => {
      const channel = accept();
      const live = open('exec', channel);
      // With a tty asked for (`ssh -t host cmd`) the command runs in one, as a shell does; else plain pipes.
      if (live && pty) void runShell(this.runners, live, pty, (fn) => (resize = fn), info.command);
      else if (live) void runCommand(this.runners, live, info.command);
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
      if (live) void runSftp(this.runners, live);
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

  /**
   * Tells each open session whose lab the class-time controller warned (idle, about to be
   * suspended) when that happens, once per warning: one list of the class's namespaces.
   */
  private async showWarnings(): Promise<void> {
    const sessions = [...this.conns].flatMap((c) => [...c.sessions]);
    if (sessions.length === 0) return;
    let namespaces;
    try {
      namespaces = await this.opts.cluster.list(NAMESPACE, { labelSelector: classSelector(this.opts.className) });
    } catch (err) {
      this.log({ event: 'warning-check-error', error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const byName = new Map(namespaces.items.map((n) => [n.metadata?.name ?? '', n]));
    for (const s of sessions) {
      const ns = byName.get(s.record.namespace);
      const w = ns ? standingWarning(ns) : undefined;
      if (!w || this.warned.get(s) === w.suspendAt) continue;
      this.warned.set(s, w.suspendAt);
      const minutes = Math.max(1, Math.round((Date.parse(w.suspendAt) - Date.now()) / 60_000));
      say(s.channel, `your lab has been idle; it will be suspended in about ${minutes} minute${minutes === 1 ? '' : 's'} (${w.suspendAt.slice(11, 16)} UTC) unless you use it. Type anything to keep it running; your files are kept either way.`);
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
