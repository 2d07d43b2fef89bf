// Helpers for the SSH gateway tests: a published class with keys, a gateway on a loopback port,
// and Debian's real OpenSSH client (`ssh`, `ssh-keygen`) driven with a throwaway known_hosts and
// no user config, so nothing on the machine changes what is tested.
import { KubeConfig } from '@kubernetes/client-node';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { devNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { NAMESPACE } from '../../main/kube/kinds';
import { numberedStudents } from '../../main/class/roster';
import { publish } from '../../main/engine/publish';
import { ensureHostKey, type HostKey } from '../../main/gateway/host-key';
import { addKey } from '../../main/gateway/key-store';
import { Gateway } from '../../main/gateway/server';
import type { GatewayOptions } from '../../main/gateway/options';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { exampleLab, lightweight, makeRelease, uniqueLab } from './helpers/engine';
import { loadTestKubeConfig, onRealNode, waitForRunningPod } from './helpers/kube';

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class SshRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'labforge-ssh-'));
  readonly knownHosts = join(this.dir, 'known_hosts');
  readonly logs: Record<string, unknown>[] = [];
  hostKey!: HostKey;

  /** An ssh-keygen key pair; returns the private key's path (the public one is `.pub` beside it). */
  keygen(name: string, type = 'ed25519', bits?: number): string {
    const path = join(this.dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', `${name}@test`, '-f', path]);
    return path;
  }

  pub(keyPath: string): string {
    return readFileSync(`${keyPath}.pub`, 'utf8');
  }

  /** Trusts the gateway's host key on these ports only. */
  trust(ports: number[]): void {
    writeFileSync(this.knownHosts, ports.map((p) => `[127.0.0.1]:${p} ${this.hostKey.publicKey}\n`).join(''));
  }

  args(port: number, key: string, user: string, extra: string[] = []): string[] {
    // ssh keeps the first value it reads for an option: the test's own options come first.
    return [
      ...extra,
      '-F', '/dev/null',
      '-p', String(port),
      '-i', key,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'IdentityAgent=none',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${this.knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'ConnectTimeout=20',
      '-o', 'LogLevel=ERROR',
      `${user}@127.0.0.1`,
    ];
  }

  /** Runs `ssh … user@gateway [command]`; resolves with its exit code and output. */
  ssh(port: number, key: string, user: string, command?: string, opts: { extra?: string[]; stdin?: string; timeoutMs?: number; env?: Record<string, string>; onStart?: (kill: () => void) => void } = {}): Promise<SshResult> {
    const child = spawn('ssh', [...this.args(port, key, user, opts.extra), ...(command !== undefined ? [command] : [])], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    opts.onStart?.(() => child.kill('SIGTERM'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Publishes the routing lab (client-b marked as the entry node) to `count` students of a class. */
export async function publishClass(cluster: HttpCluster, className: string, count: number, prefix: string): Promise<{ students: string[]; lab: Lab }> {
  const lab = lightweight(uniqueLab(exampleLab('routing-lab.yaml'), prefix));
  lab.nodes.find((n) => n.name === 'client-b')!.entry = true;
  const release = await makeRelease(cluster, lab, 'v1');
  const students = numberedStudents(count);
  // Logins land in real containers: the class runs on the real node.
  const { studentNamespace: nsOf } = await import('../../common/compile');
  await onRealNode(loadTestKubeConfig(), students.map((s) => nsOf(className, s.id)));
  const r = await publish(cluster, { className, students, release });
  // The dev namespace made the release; the class runs without it, and the shared cluster has room for few pods.
  await cluster.delete(NAMESPACE, devNamespace(lab.metadata.name));
  if (!r.results.every((x) => x.status === 'created')) throw new Error(`publish failed: ${JSON.stringify(r.results)}`);
  const kc = loadTestKubeConfig();
  for (const s of students) {
    const { studentNamespace } = await import('../../common/compile');
    await waitForRunningPod(kc, studentNamespace(className, s.id), 'labforge.dev/node=client-b');
    await waitForRunningPod(kc, studentNamespace(className, s.id), 'labforge.dev/node=router');
  }
  return { students: students.map((s) => s.id), lab };
}

export async function startGateway(rig: SshRig, cluster: HttpCluster, className: string, opts: Partial<GatewayOptions> = {}, kubeConfig: KubeConfig = loadTestKubeConfig()): Promise<{ gw: Gateway; port: number }> {
  rig.hostKey ??= await ensureHostKey(cluster);
  const gw = new Gateway({ cluster, kubeConfig, className, hostKey: rig.hostKey, host: '127.0.0.1', port: 0, revalidateMs: 2000, log: (e) => rig.logs.push(e), ...opts });
  const port = await gw.start();
  return { gw, port };
}

export async function addKeyFile(cluster: HttpCluster, className: string, student: string, rig: SshRig, key: string, expires?: string) {
  return addKey(cluster, { className, student, key: rig.pub(key), ...(expires ? { expires } : {}) });
}

/**
 * What an attacker's client does and OpenSSH never does (it only offers the methods the server
 * lists): password attempts as `user` from `localAddress` (any 127.x address reaches the
 * gateway on 127.0.0.1), one failure each that the gateway counts. Resolves when the gateway
 * has closed the connection.
 */
export function failLogins(port: number, user: string, tries: number, localAddress = '127.0.0.1'): Promise<void> {
  const client = new ssh2.Client();
  let sent = 0;
  return new Promise<void>((resolve) => {
    client.on('error', () => undefined);
    client.on('close', () => resolve());
    client.connect({
      host: '127.0.0.1',
      port,
      localAddress,
      username: user,
      hostVerifier: () => true,
      readyTimeout: 20_000,
      authHandler: (_methods, _partial, next) => {
        if (sent++ < tries) return next({ type: 'password', username: user, password: `guess-${sent}` });
        // ssh2 takes false as "no more methods" (its types leave it out).
        next(false as unknown as 'none');
      },
    });
  });
}

/** A TCP connection from `localAddress` that never sends a byte; resolves once it is open. */
export function silentSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.on('error', reject);
    // Read what the gateway sends (its identification line), never answer.
    s.resume();
  });
}
