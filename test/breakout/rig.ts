// The breakout rig: a class of two students published on the local cluster's real node, and the
// four ways a student gets at it — exec with their own kubeconfig, the app's terminal path
// (createTerminalService + a stream pane), an SSH gateway login, and their kubeconfig against the
// API. The attacker is student 1; student 2 is the victim whose lab must keep working.
//
// Nothing here imports vitest: `npm run breakout` runs it under tsx, the CI-sized test under vitest.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { studentNamespace } from '../../common/compile';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { REAL_NODE } from '../../main/cluster/node/config';
import { placementAnnotations } from '../../main/cluster/node/placement';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { encodeRelease, releaseName, SYSTEM_NAMESPACE } from '../../main/engine/release-record';
import type { Release } from '../../main/engine/releases';
import { ensureHostKey, type HostKey } from '../../main/gateway/host-key';
import { addKey } from '../../main/gateway/key-store';
import { Gateway } from '../../main/gateway/server';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, POD, type IPod } from '../../main/kube/kinds';
import { createTerminalService, createWsStreamHub, type TerminalService, type WsStreamHub } from '../../main/streams';

/** The claim is small on purpose: filling it past its size proves the size is (or is not) enforced without filling the disk. */
export const PVC_SIZE_MIB = 64;
/** box's scratch space (its writable layer's limit), small for the same reason. */
export const SCRATCH_MIB = 128;
export const PROBE_PORT = 8080;

/**
 * box: the student's shell (entry node), root as labs that teach administration make it (the
 * strongest position a lab gives a student), with a claim at /data, a 128 MiB memory limit and
 * ${SCRATCH_MIB} MiB of scratch space.
 * web: answers on 8080, what the victim's probe reaches through the lab network and DNS.
 */
const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: breakout
networks:
  - name: net
volumes:
  - name: data
    size: ${PVC_SIZE_MIB}Mi
nodes:
  - name: box
    kind: container
    image: alpine:3.20
    entry: true
    networks: [net]
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    volumes: [{ volume: data, mountPath: /data }]
    security: { user: root }
    resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 128Mi }, disk: ${SCRATCH_MIB}Mi }
  - name: web
    kind: container
    image: alpine:3.20
    networks: [net]
    ports: [{ port: ${PROBE_PORT} }]
    command: [socat, "TCP-LISTEN:${PROBE_PORT},fork,reuseaddr", "SYSTEM:echo web-ok"]
    resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 64Mi } }
`;

export interface ShellResult {
  stdout: string;
  /** How the path ended: an exec status, an ssh exit code, the terminal's exit. */
  status: string;
}

/** Host-side facts the attempts aim at, read from the cluster's own files (never sent to a student). */
export interface HostFacts {
  clusterDir: string;
  apiserverPort: number;
  etcdPort: number;
  kubeletPort: number;
  kubeletHealthzPort: number;
  kubeletPid: number;
  /** Every TCP port a host process listens on, any address (ss -ltn), for the port sweep. */
  listening: number[];
}

export function hostFacts(clusterDir: string): HostFacts {
  const cluster = JSON.parse(readFileSync(join(clusterDir, 'cluster.json'), 'utf8')) as { ports: Record<string, number> };
  const kubelet = readFileSync(join(clusterDir, 'config/kubelet.yaml'), 'utf8');
  const num = (re: RegExp) => Number(re.exec(kubelet)?.[1] ?? 0);
  let listening: number[] = [];
  try {
    listening = [...new Set(execFileSync('ss', ['-Hltn'], { encoding: 'utf8' }).split('\n').map((l) => Number(/:(\d+)\s/.exec(l.split(/\s+/).slice(3, 4).join(' ') + ' ')?.[1])).filter((p) => p > 0))].sort((a, b) => a - b);
  } catch {
    // ss missing: the sweep then covers the named ports only.
  }
  return {
    clusterDir,
    apiserverPort: cluster.ports['apiserver']!,
    etcdPort: cluster.ports['etcd']!,
    kubeletPort: num(/^port:\s*(\d+)/m),
    kubeletHealthzPort: num(/^healthzPort:\s*(\d+)/m),
    kubeletPid: Number(readFileSync(join(clusterDir, 'run/kubelet.pid'), 'utf8').trim()),
    listening,
  };
}

export interface Student {
  id: string;
  namespace: string;
  kc: KubeConfig;
  keyPath: string;
}

export class BreakoutRig {
  readonly className = `brk-${randomBytes(3).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'labforge-breakout-'));
  readonly cluster: HttpCluster<KubeConfig>;
  readonly adminKc: KubeConfig;
  readonly facts: HostFacts;
  attacker!: Student;
  victim!: Student;
  private gateway?: Gateway;
  /** The gateway's own log lines (kept, not printed: the table is the report). */
  readonly gatewayLog: Record<string, unknown>[] = [];
  gatewayPort = 0;
  private hostKey?: HostKey;
  private hub?: WsStreamHub;
  private server?: Server;
  private streamPort = 0;
  private terminals?: TerminalService;
  lab!: Lab;
  /** The victim's pod addresses (read as the admin: the attacker is not allowed to list them). */
  victimIps = { box: '', web: '' };

  constructor(kubeconfig: string, clusterDir: string, readonly log: (line: string) => void = () => undefined) {
    this.cluster = connect({ kubeconfig }) as HttpCluster<KubeConfig>;
    this.adminKc = new KubeConfig();
    this.adminKc.loadFromFile(kubeconfig);
    this.facts = hostFacts(clusterDir);
  }

  async setup(): Promise<void> {
    const parsed = parseLab(LAB);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    this.lab = parsed.lab;
    this.lab.metadata.name = `brk-${randomBytes(3).toString('hex')}`;
    const release: Release = { lab: this.lab, labName: this.lab.metadata.name, tag: 'v1', createdAt: new Date().toISOString(), author: 'breakout', note: '', images: [], template: '' };
    // Stored as snapshot stores it (no dev deploy: the images are the local stand-ins): the gateway reads the entry node from it.
    await this.cluster.create(encodeRelease(release));
    const students = numberedStudents(2);
    const namespaces = students.map((s) => studentNamespace(this.className, s.id));
    // Namespaces placed on the real node first; publish keeps the annotation.
    const core = this.adminKc.makeApiClient(CoreV1Api);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name, labels: { 'labforge.dev/test': 'breakout' }, annotations: placementAnnotations('real') } } });
    for (const name of namespaces) await until(`ServiceAccount ${name}/default`, async () => !!(await core.readNamespacedServiceAccount({ name: 'default', namespace: name }).catch(() => undefined)), 60_000);
    this.log(`publishing ${this.className} (2 students) on the real node`);
    const r = await publish(this.cluster, { className: this.className, students, release });
    if (r.results.some((x) => x.status === 'failed')) throw new Error(`publish failed: ${JSON.stringify(r.results)}`);
    const made: Student[] = [];
    for (const s of students) {
      const creds = await studentCredentials(this.cluster, this.className, s.id, 3600);
      const kc = new KubeConfig();
      kc.loadFromString(creds.kubeconfig);
      const keyPath = join(this.dir, `key-${s.id}`);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${s.id}@breakout`, '-f', keyPath]);
      await addKey(this.cluster, { className: this.className, student: s.id, key: readFileSync(`${keyPath}.pub`, 'utf8') });
      made.push({ id: s.id, namespace: creds.namespace, kc, keyPath });
    }
    [this.attacker, this.victim] = made as [Student, Student];
    for (const s of made) for (const node of ['box', 'web']) await this.podOf(s.namespace, node, 240_000);
    // Every student's lab works before any attempt: their box reaches their web by name. Right
    // after a publish the policy controller may not have allowed DNS yet (kube-router syncs the
    // new policies a little later), and a probe failing then would be blamed on an attack.
    for (const s of made) {
      await until(`${s.namespace}: box to reach web by name`, async () => (await this.exec(this.adminKc, s.namespace, 'box', ['sh', '-c', `nc -w 3 web ${PROBE_PORT} </dev/null`], 20_000)).stdout.includes('web-ok'), 180_000, 1000);
    }
    this.victimIps = { box: (await this.podOf(this.victim.namespace, 'box')).status!.podIP!, web: (await this.podOf(this.victim.namespace, 'web')).status!.podIP! };

    this.hostKey = await ensureHostKey(this.cluster);
    this.gateway = new Gateway({ cluster: this.cluster, kubeConfig: this.adminKc, className: this.className, hostKey: this.hostKey, host: '127.0.0.1', port: 0, revalidateMs: 2000, log: (e) => this.gatewayLog.push(e) });
    this.gatewayPort = await this.gateway.start();
    writeFileSync(join(this.dir, 'known_hosts'), `[127.0.0.1]:${this.gatewayPort} ${this.hostKey.publicKey}\n`);

    this.hub = createWsStreamHub();
    const hub = this.hub;
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket, head) => {
      if (!hub.handleUpgrade(req, socket, head, true)) socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.streamPort = (this.server.address() as AddressInfo).port;
    this.terminals = createTerminalService({ connector: hub, kubeConfig: () => this.attacker.kc, hangupGraceMs: 1000 });
  }

  async close(): Promise<void> {
    await this.terminals?.closeAll().catch(() => undefined);
    this.hub?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.gateway?.stop().catch(() => undefined);
    await teardown(this.cluster, this.className).catch(() => undefined);
    if (this.lab) await this.cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap' }, releaseName(this.lab.metadata.name, 'v1'), SYSTEM_NAMESPACE).catch(() => undefined);
    this.cluster.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The Ready pod of a lab node on the real node. */
  async podOf(namespace: string, node: string, timeoutMs = 120_000): Promise<IPod> {
    const ready = (p: IPod) => !p.metadata?.deletionTimestamp && p.spec?.nodeName === REAL_NODE.name && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    return until(`${node} in ${namespace} to run on the real node`, async () => (await this.cluster.list(POD, { namespace, labelSelector: `labforge.dev/node=${node}` })).items.find(ready), timeoutMs, 1000);
  }

  async namespaceExists(name: string): Promise<boolean> {
    return !!(await this.cluster.read(NAMESPACE, name));
  }

  /** A command in a pod, through the API server's exec, with the given credentials. */
  async exec(kc: KubeConfig, namespace: string, node: string, command: string[], timeoutMs = 120_000): Promise<ShellResult> {
    const pod = (await this.podOf(namespace, node)).metadata!.name!;
    return this.execPod(kc, namespace, pod, node, command, timeoutMs);
  }

  /** The exec alone, into a pod already found (what the probe times). */
  async execPod(kc: KubeConfig, namespace: string, pod: string, node: string, command: string[], timeoutMs = 120_000): Promise<ShellResult> {
    let stdout = '';
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { stdout = (stdout + chunk.toString('utf8')).slice(-100_000); cb(); } });
    try {
      const status = await withTimeout(new Promise<V1Status>((resolve, reject) => {
        new Exec(kc).exec(namespace, pod, node, command, sink, sink, null, false, resolve).then((ws) => ws.on('error', reject)).catch(reject);
      }), timeoutMs, 'exec');
      return { stdout, status: status.status === 'Success' ? 'exit 0' : `${status.reason ?? status.status}: ${status.message ?? ''}` };
    } catch (err) {
      return { stdout, status: `error: ${errorText(err)}` };
    }
  }

  /** A script as the attacker, through exec with the attacker's own kubeconfig. */
  shExec(script: string, node = 'box', timeoutMs?: number): Promise<ShellResult> {
    return this.exec(this.attacker.kc, this.attacker.namespace, node, ['sh', '-c', script], timeoutMs);
  }

  /**
   * A script typed into a terminal the app's terminal service opened with the attacker's
   * credentials. The script travels base64-encoded so its own words are never echoed back;
   * the end marker is printed from two halves for the same reason.
   */
  async shTerminal(script: string, timeoutMs = 120_000, namespace = this.attacker.namespace): Promise<ShellResult> {
    const opened = await this.terminals!.open({ namespace, node: 'box', cols: 200, rows: 50 });
    if (opened.connect.kind !== 'websocket') throw new Error('expected a websocket stream');
    const ws = new WebSocket(`ws://127.0.0.1:${this.streamPort}${opened.connect.path}`, opened.connect.protocols);
    let text = '';
    const decoder = new TextDecoder();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      text = (text + decoder.decode(buf, { stream: true })).slice(-100_000);
      ws.send(JSON.stringify({ type: 'ack', bytes: buf.length }));
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const tag = randomBytes(4).toString('hex');
    const b64 = Buffer.from(script).toString('base64');
    // Echo off first, so the typed line (wrapped over many rows) is not mixed into the output.
    ws.send(Buffer.from('stty -echo\n'), { binary: true });
    await new Promise((r) => setTimeout(r, 500));
    text = '';
    ws.send(Buffer.from(`echo ${b64} | base64 -d | sh 2>&1; echo "__EN""D_${tag}__ $?"\n`), { binary: true });
    const end = new RegExp(`__END_${tag}__ (\\d+)`);
    try {
      const m = await until('the terminal script to end', async () => end.exec(text) ?? undefined, timeoutMs, 100);
      const out = plain(text);
      // What is left of the prompt is dropped: the output is what the script printed.
      const body = out.slice(0, out.indexOf(`__END_${tag}__`)).replace(/^\S*@\S*[#$] /gm, '');
      return { stdout: body, status: `exit ${m[1]}` };
    } catch (err) {
      return { stdout: plain(text), status: `error: ${errorText(err)}` };
    } finally {
      ws.close();
      await this.terminals!.close(opened.sessionId).catch(() => undefined);
    }
  }

  /** Opens a terminal only (for the refusal attempts); resolves with what the service said. */
  async openTerminal(namespace: string, node: string): Promise<string> {
    try {
      const opened = await this.terminals!.open({ namespace, node, cols: 80, rows: 24 });
      await this.terminals!.close(opened.sessionId);
      return `opened ${opened.namespace}/${opened.pod}`;
    } catch (err) {
      return `refused: ${errorText(err)}`;
    }
  }

  /** A script through an SSH gateway login (the real OpenSSH client) as `user` with the attacker's key. */
  shSsh(script: string, user = this.attacker.id, timeoutMs = 120_000): Promise<ShellResult> {
    const args = [
      '-F', '/dev/null', '-p', String(this.gatewayPort), '-i', this.attacker.keyPath,
      '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=20', '-o', 'LogLevel=ERROR',
      `${user}@127.0.0.1`, `echo ${Buffer.from(script).toString('base64')} | base64 -d | sh 2>&1`,
    ];
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-100_000)));
    child.stderr.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-100_000)));
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout, status: `exit ${code}` });
      });
    });
  }

  /** Options for an ssh2 client logging in as the attacker (for requests OpenSSH only makes with flags). */
  sshLogin(user = this.attacker.id) {
    return { host: '127.0.0.1', port: this.gatewayPort, username: user, privateKey: readFileSync(this.attacker.keyPath), hostVerifier: () => true, readyTimeout: 20_000 };
  }
}

/** Output without colour, cursor and mode sequences, and with \r\n as \n. */
export function plain(text: string): string {
  return text.replace(/\x1b\][^\x07]*\x07/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r+\n/g, '\n').replace(/\r/g, '');
}

export function errorText(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'number' ? `${e.code} ` : '';
  let msg = typeof e?.message === 'string' ? e.message : String(err);
  // client-node's ApiException carries the whole body in its message; its Status message is what matters.
  const m = /"message":"([^"]*)"/.exec(msg);
  if (m) msg = m[1]!;
  return `${code}${msg}`.replace(/\s+/g, ' ').slice(0, 300);
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${errorText(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000}s`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}
