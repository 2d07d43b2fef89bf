// The SSH gateway against the real local control plane, with the real OpenSSH client: logins by
// key, exit status, node choice, refusals (wrong/expired/revoked key, unknown user, another
// student's node, port forwarding, X11, subsystems), window-change, revocation ending a live
// session, rate limits, garbage on the socket, session limits, audit Events and a restart that
// keeps the host key.
import { execFileSync, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { parsePublicKey } from '../../main/class/keys';
import { teardown } from '../../main/engine/class-ops';
import { EVENT_REASON } from '../../main/gateway/audit';
import { ensureHostKey } from '../../main/gateway/host-key';
import { keySecret, listKeys, revokeKeys, SECRET } from '../../main/gateway/key-store';
import type { Gateway } from '../../main/gateway/server';
import type { GatewayLimits } from '../../main/gateway/options';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { kindOf } from '../../main/kube/cluster';
import { join } from 'node:path';
import { adminCluster, ROOT } from './helpers/engine';
import { randomId, testKubeconfigPath, waitFor } from './helpers/kube';
import { addKeyFile, failLogins, publishClass, silentSocket, SshRig, startGateway } from './gateway-rig';

const className = `gw-${randomId(3)}`;
let cluster: HttpCluster;
let rig: SshRig;
let gw: Gateway;
let port: number;
let students: string[];
const keys: Record<string, string> = {};
const EVENT = kindOf<{ reason?: string; message?: string; metadata?: { annotations?: Record<string, string> } }>('v1', 'Event');

beforeAll(async () => {
  cluster = adminCluster();
  rig = new SshRig();
  ({ students } = await publishClass(cluster, className, 4, 'gw'));
  for (const name of ['alice', 'bob', 'wrong', 'expired', 'revoked', 'carol']) keys[name] = rig.keygen(name);
  await addKeyFile(cluster, className, students[0]!, rig, keys['alice']!, '14d');
  await addKeyFile(cluster, className, students[1]!, rig, keys['bob']!);
  await addKeyFile(cluster, className, students[0]!, rig, keys['revoked']!);
  await addKeyFile(cluster, className, students[2]!, rig, keys['carol']!);
  // An expired key, written as the store would have written it a while ago.
  const parsed = parsePublicKey(rig.pub(keys['expired']!));
  if (!parsed.ok) throw new Error(parsed.message);
  await cluster.apply(keySecret(className, students[0]!, parsed.key, new Date(Date.now() - 60_000).toISOString()));
  ({ gw, port } = await startGateway(rig, cluster, className, { limits: { authFailuresPerAddress: { failures: 1000, windowMs: 60_000 }, authFailuresPerUser: { failures: 6, windowMs: 60_000 }, sessionsPerStudent: 2 } }));
  rig.trust([port]);
}, 400_000);

afterAll(async () => {
  await gw?.stop();
  rig?.cleanup();
  if (cluster) await teardown(cluster, className).catch(() => undefined);
  cluster?.close();
});

/** Prints "<namespace> <pod>" from inside a container: its DNS search path and its hostname. */
const WHERE = `echo "$(sed -n 's/^search \\([^ .]*\\)\\.svc\\..*/\\1/p' /etc/resolv.conf) $(hostname)"`;

const alice = () => students[0]!;
const bob = () => students[1]!;

describe('logins', () => {
  it('runs a command in the entry node and returns its exit status', async () => {
    const r = await rig.ssh(port, keys['alice']!, alice(), `echo ok; ${WHERE}; echo err >&2; exit 3`);
    expect(r.code).toBe(3);
    const [ok, where] = r.stdout.split('\n');
    expect(ok).toBe('ok');
    // A lab node's pod carries the node's name as its hostname.
    expect(where).toBe(`${studentNamespace(className, alice())} client-b`);
    expect(r.stderr).toContain('err');
    expect(r.stdout).not.toContain('__labforge_ssh_');
  });

  it('passes stdin through and returns 0', async () => {
    // head stops after N bytes, so the test does not depend on how stdin's end travels.
    const r = await rig.ssh(port, keys['alice']!, alice(), 'head -c 100000 | wc -c', { stdin: 'x'.repeat(100_000) });
    expect(r).toMatchObject({ code: 0, stdout: '100000\n' });
  });

  it('picks a node with student+node, always in the student\'s own namespace', async () => {
    const r = await rig.ssh(port, keys['alice']!, `${alice()}+router`, WHERE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${studentNamespace(className, alice())} router\n`);
    const missing = await rig.ssh(port, keys['alice']!, `${alice()}+nosuch`, 'true');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/your lab has no node "nosuch"; its nodes are: router, client-a, client-b, client-c/);
  });

  it("cannot reach another student's node by naming it", async () => {
    for (const user of [bob(), `${bob()}+router`]) {
      const r = await rig.ssh(port, keys['alice']!, user, 'true');
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
    }
  });

  it('refuses a wrong key, an expired key, a revoked key and an unknown user', async () => {
    expect((await rig.ssh(port, keys['revoked']!, alice(), 'true')).code).toBe(0);
    const [revoked] = await revokeKeys(cluster, className, alice(), { fingerprint: parsePublicKey(rig.pub(keys['revoked']!)).ok ? (parsePublicKey(rig.pub(keys['revoked']!)) as { ok: true; key: { fingerprint: string } }).key.fingerprint : '' });
    expect(revoked).toBeDefined();
    await waitFor('the gateway to see the revocation', async () => !gw['index'].isValid(alice(), revoked!.fingerprint) || undefined, 10_000, 100);
    for (const [key, user] of [['wrong', alice()], ['expired', alice()], ['revoked', alice()], ['alice', 'nobody-here']] as const) {
      const r = await rig.ssh(port, keys[key]!, user, 'true');
      expect(r.code, `${key} as ${user}`).toBe(255);
      expect(r.stderr, `${key} as ${user}`).toMatch(/Permission denied \(publickey\)/);
    }
    // OpenSSH only asks whether each key would do (it signs with none of them): logged as declined, no failure counted.
    expect(rig.logs.filter((l) => l['event'] === 'auth-key-declined').length).toBeGreaterThanOrEqual(4);
    expect(rig.logs.filter((l) => l['event'] === 'auth-failed')).toEqual([]);
    // No key material in the log: fingerprints only.
    const logText = JSON.stringify(rig.logs);
    for (const k of Object.values(keys)) expect(logText).not.toContain(rig.pub(k).split(' ')[1]);
  });
});

describe('refusals', () => {
  it('refuses -L port forwarding with a clear message', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const run = rig.ssh(port, keys['alice']!, alice(), 'sleep 4; echo done', { extra: ['-L', `127.0.0.1:${free}:127.0.0.1:22`] });
    await waitFor('the forward to listen', async () => new Promise<boolean | undefined>((resolve) => {
      const sock = connect(free, '127.0.0.1', () => {
        sock.end();
        resolve(true);
      }).on('error', () => resolve(undefined));
    }), 10_000, 100);
    const r = await run;
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toMatch(/labforge: port forwarding is not offered by this gateway \(refused 127\.0\.0\.1:22\)/);
    // -W opens the same kind of channel at once; ssh reports the refusal and gives up.
    const w = await rig.ssh(port, keys['alice']!, alice(), undefined, { extra: ['-W', '127.0.0.1:80', '-o', 'LogLevel=INFO'] });
    expect(w.code).toBe(255);
    expect(w.stderr).toMatch(/administratively prohibited|stdio forwarding failed/);
  });

  it('refuses X11 and agent forwarding, other subsystems, and sftp where the node has no sftp-server', async () => {
    // ssh asks for X11 only with a DISPLAY, and for agent forwarding only with an agent to forward.
    const agent = execFileSync('ssh-agent', ['-s'], { encoding: 'utf8' });
    const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agent)![1]!;
    const pid = Number(/SSH_AGENT_PID=(\d+);/.exec(agent)![1]);
    try {
      const x = await rig.ssh(port, keys['alice']!, alice(), 'echo in', { extra: ['-X', '-A', '-o', 'ForwardAgent=yes', '-o', `IdentityAgent=${sock}`], env: { DISPLAY: ':99', SSH_AUTH_SOCK: sock } });
      expect(x.stdout).toBe('in\n');
      expect(x.stderr).toMatch(/labforge: X11 forwarding is not offered by this gateway/);
      expect(x.stderr).toMatch(/labforge: agent forwarding is not offered by this gateway/);
    } finally {
      process.kill(pid);
    }
    const sub = await rig.ssh(port, keys['alice']!, alice(), 'netconf', { extra: ['-s'] });
    expect(sub.code).toBe(1);
    expect(sub.stderr).toMatch(/subsystem "netconf" is not offered by this gateway \(only sftp is\)/);
    const hasSftp = ['/usr/lib/openssh/sftp-server', '/usr/lib/sftp-server', '/usr/libexec/openssh/sftp-server'].some((p) => {
      try {
        execFileSync('test', ['-x', p]);
        return true;
      } catch {
        return false;
      }
    });
    const sftp = await rig.ssh(port, keys['alice']!, alice(), 'sftp', { extra: ['-s'] });
    if (hasSftp) expect(sftp.code).not.toBe(1);
    else {
      expect(sftp.code).toBe(1);
      expect(sftp.stderr).toMatch(/sftp is not available on node "client-b": it has no sftp-server/);
    }
  });
});

describe('terminal', () => {
  it('opens a shell on a pty and passes window-change through (stty size)', async () => {
    // python's pty gives ssh a real terminal whose size we set, then SIGWINCH as a resized window would.
    const script = `
import os, pty, sys, time, fcntl, termios, struct, signal, select
args = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp('ssh', ['ssh', '-tt'] + args)
def size(rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
size(31, 101)
out = b''
def read_until(token, limit=30):
    global out
    end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            out += data
            if token in out:
                return True
    return False
time.sleep(1.5)
os.write(fd, b'stty size; echo MARK1\\n')
read_until(b'MARK1\\r\\n', 30) and read_until(b'$', 2)
size(42, 123)
os.kill(pid, signal.SIGWINCH)
time.sleep(1)
os.write(fd, b'stty size; echo MARK2\\n')
read_until(b'MARK2\\r\\n', 30)
os.write(fd, b'exit 7\\n')
read_until(b'NEVER', 5)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.stdout.write('\\nSSH-EXIT %d\\n' % os.waitstatus_to_exitcode(status))
`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn('python3', ['-c', script, ...rig.args(port, keys['bob']!, bob())]);
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', () => resolve(text));
    });
    expect(out).toMatch(/31 101\r?\n(.*\r?\n)?MARK1/);
    expect(out).toMatch(/42 123\r?\n(.*\r?\n)?MARK2/);
    expect(out).toMatch(/SSH-EXIT 7/);
  }, 90_000);
});

describe('a command with a tty (ssh -t host cmd)', () => {
  it('runs the command on a pty, not pipes, and returns its exit status', async () => {
    // -tt: a pty even though this test's stdin is not a terminal; without -t the same command has none.
    const withTty = await rig.ssh(port, keys['bob']!, bob(), '[ -t 0 ] && [ -t 1 ] && echo TTY-YES || echo TTY-NO; stty size; exit 5', { extra: ['-tt'] });
    expect(withTty.code).toBe(5);
    expect(withTty.stdout).toContain('TTY-YES');
    expect(withTty.stdout).toMatch(/\d+ \d+\r?\n/);
    expect(withTty.stdout).not.toContain('7717;labforge-pid');
    const without = await rig.ssh(port, keys['bob']!, bob(), '[ -t 0 ] && [ -t 1 ] && echo TTY-YES || echo TTY-NO; exit 4');
    expect(without).toMatchObject({ code: 4, stdout: 'TTY-NO\n' });
  }, 90_000);
});

describe('limits and robustness', () => {
  it('ends a live session within a minute of its key being revoked', async () => {
    const key = rig.keygen('live');
    const stored = await addKeyFile(cluster, className, students[3]!, rig, key);
    await waitFor('the gateway to see the key', async () => gw['index'].isValid(students[3]!, stored.fingerprint) || undefined, 10_000, 100);
    const started = Date.now();
    const run = rig.ssh(port, key, students[3]!, 'echo started; sleep 120; echo never', { timeoutMs: 150_000 });
    await waitFor('the session to start', async () => gw.sessionsOf(students[3]!) > 0 || undefined, 20_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
    await revokeKeys(cluster, className, students[3]!, { all: true });
    const r = await run;
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.stdout).not.toContain('never');
    expect(r.stderr).toMatch(/your key was revoked or has expired/);
    expect(r.code).not.toBe(0);
  }, 120_000);

  it('limits sessions per student', async () => {
    const long = [rig.ssh(port, keys['carol']!, students[2]!, 'sleep 6'), rig.ssh(port, keys['carol']!, students[2]!, 'sleep 6')];
    await waitFor('two sessions', async () => gw.sessionsOf(students[2]!) >= 2 || undefined, 20_000, 100);
    const third = await rig.ssh(port, keys['carol']!, students[2]!, 'echo third');
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/you have 2 sessions open, the most allowed/);
    expect((await Promise.all(long)).map((r) => r.code)).toEqual([0, 0]);
  }, 60_000);

  it('rate-limits auth failures per (address, user): past the limit even the right key is refused from there', async () => {
    const victim = bob();
    await failLogins(port, victim, 3);
    await failLogins(port, `${victim}+router`, 3);
    const r = await rig.ssh(port, keys['bob']!, victim, 'true');
    expect(r.code).toBe(255);
    expect(gw.stats.rateLimited).toBeGreaterThan(0);
    expect(rig.logs.some((l) => l['event'] === 'auth-rate-limited' && l['user'] === victim)).toBe(true);
  });

  it('rate-limits auth failures per source address', async () => {
    const other = await startGateway(rig, cluster, className, { limits: { authFailuresPerAddress: { failures: 2, windowMs: 60_000 } } });
    try {
      rig.trust([port, other.port]);
      await failLogins(other.port, 'someone-a', 1);
      await failLogins(other.port, 'someone-b', 1);
      const r = await rig.ssh(other.port, keys['alice']!, alice(), 'true');
      expect(r.code).toBe(255);
      expect(other.gw.stats.rateLimited).toBeGreaterThan(0);
    } finally {
      await other.gw.stop();
    }
  });

  /** Runs `fn` against a second gateway with these limits, trusted by ssh, and stops it after. */
  async function withGateway(limits: Partial<GatewayLimits>, fn: (other: { gw: Gateway; port: number }) => Promise<void>): Promise<void> {
    const other = await startGateway(rig, cluster, className, { limits });
    try {
      rig.trust([port, other.port]);
      await fn(other);
    } finally {
      await other.gw.stop();
      rig.trust([port]);
    }
  }

  it('failures naming a student from another address do not lock the student out (issue 32, item 6)', () =>
    withGateway({ authFailuresPerUser: { failures: 10, windowMs: 60_000 } }, async (other) => {
      // Ten failures naming alice from 127.0.0.2, then more: the attacker's own budget is spent.
      await failLogins(other.port, alice(), 6, '127.0.0.2');
      await failLogins(other.port, alice(), 6, '127.0.0.2');
      const real = await rig.ssh(other.port, keys['alice']!, alice(), 'echo in');
      expect(real).toMatchObject({ code: 0, stdout: 'in\n' });
      // The limit still holds where the failures came from, the right key included.
      const fromThere = await rig.ssh(other.port, keys['alice']!, alice(), 'echo in', { extra: ['-b', '127.0.0.2'] });
      expect(fromThere.code).toBe(255);
      expect(rig.logs.some((l) => l['event'] === 'auth-rate-limited' && l['address'] === '127.0.0.2' && l['user'] === alice())).toBe(true);
    }), 60_000);

  it('an OpenSSH client offering three other keys first logs in every time: key queries are not failures (issue 32, item 6)', () =>
    withGateway({ authFailuresPerUser: { failures: 10, windowMs: 60_000 }, authFailuresPerAddress: { failures: 10, windowMs: 60_000 } }, async (other) => {
      const decoys = ['decoy-1', 'decoy-2', 'decoy-3'].map((n) => rig.keygen(`${n}-${randomId(3)}`));
      for (let login = 1; login <= 5; login++) {
        const r = await rig.ssh(other.port, keys['alice']!, alice(), `echo login-${login}`, { extra: decoys.flatMap((k) => ['-i', k]) });
        expect(r, `login ${login}`).toMatchObject({ code: 0, stdout: `login-${login}\n` });
      }
      expect(other.gw.stats.keysDeclined).toBe(15);
      expect(other.gw.stats.authFailures).toBe(0);
    }), 90_000);

  it('closes sockets that never send the SSH identification, and caps connections per address (issue 32, item 7)', async () => {
    const silent: Socket[] = [];
    try {
      await withGateway({ maxConnections: 40, maxConnectionsPerAddress: 10, identTimeoutMs: 1500 }, async (other) => {
        const closed = new Set<number>();
        const started = Date.now();
        for (let i = 0; i < 40; i++) {
          const s = await silentSocket(other.port, '127.0.0.2');
          s.on('close', () => closed.add(i));
          silent.push(s);
        }
        // Past ten from one address, each is closed at once; the gateway stays open to others.
        await waitFor('30 sockets over the per-address limit to close', async () => closed.size >= 30 || undefined, 1000, 20);
        expect(other.gw.stats.refusedPerAddress).toBe(30);
        // The ten it took are closed once the identification is overdue.
        await waitFor('the silent sockets to time out', async () => closed.size === 40 || undefined, 10_000, 50);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(other.gw.stats.identTimeouts).toBe(10);
        expect(rig.logs.some((l) => l['event'] === 'ident-timeout' && l['address'] === '127.0.0.2')).toBe(true);
        const r = await rig.ssh(other.port, keys['alice']!, alice(), 'echo open');
        expect(r).toMatchObject({ code: 0, stdout: 'open\n' });
      });
    } finally {
      for (const s of silent) s.destroy();
    }
  }, 60_000);

  it('a full address does not hold the gateway shut for another (issue 32, item 7)', async () => {
    const silent: Socket[] = [];
    try {
      await withGateway({ maxConnections: 40, maxConnectionsPerAddress: 20, identTimeoutMs: 60_000 }, async (other) => {
        for (let i = 0; i < 40; i++) silent.push(await silentSocket(other.port, '127.0.0.2'));
        const r = await rig.ssh(other.port, keys['alice']!, alice(), 'echo open');
        expect(r).toMatchObject({ code: 0, stdout: 'open\n' });
        expect(silent.filter((s) => !s.destroyed && s.readyState === 'open').length).toBeLessThanOrEqual(20);
      });
    } finally {
      for (const s of silent) s.destroy();
    }
  }, 60_000);

  it('closes an idle connection with a message', async () => {
    const idle = await startGateway(rig, cluster, className, { limits: { idleTimeoutMs: 2000 } });
    try {
      rig.trust([port, idle.port]);
      const started = Date.now();
      const r = await rig.ssh(idle.port, keys['alice']!, alice(), 'sleep 30; echo never', { timeoutMs: 40_000 });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.stdout).not.toContain('never');
      expect(r.stderr).toMatch(/labforge: idle for 2s; this session ends/);
    } finally {
      await idle.gw.stop();
      rig.trust([port]);
    }
  }, 60_000);

  it('survives garbage, half handshakes and resets, and keeps serving', async () => {
    const before = gw.stats.connectionErrors;
    const send = (bytes: Buffer, reset: boolean) =>
      new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write(bytes);
          setTimeout(() => (reset ? s.resetAndDestroy() : s.end()), 100);
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
    const garbage: Buffer[] = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      Buffer.concat([Buffer.from('SSH-2.0-evil\r\n'), Buffer.from([0, 0, 0xff, 0xff, 0x14, 1, 2, 3, 4, 5])]),
      Buffer.concat([Buffer.from('SSH-2.0-evil\r\n'), Buffer.alloc(70_000, 0x41)]),
      Buffer.from('SSH-1.5-old\r\n'),
    ];
    for (const [i, g] of garbage.entries()) await send(g, i % 2 === 0);
    expect(gw.stats.connectionErrors).toBeGreaterThan(before);
    const r = await rig.ssh(port, keys['alice']!, alice(), 'echo still-here');
    expect(r).toMatchObject({ code: 0, stdout: 'still-here\n' });
  });
});

describe('audit and identity', () => {
  it('records sessions as Events in the student namespace, with fingerprint, node and bytes', async () => {
    const ns = studentNamespace(className, alice());
    const fp = (await listKeys(cluster, className, alice())).find((k) => k.comment === 'alice@test')!.fingerprint;
    const events = await waitFor('session Events', async () => {
      const items = (await cluster.list(EVENT, { namespace: ns })).items.filter((e) => e.reason === EVENT_REASON);
      return items.length >= 3 ? items : undefined;
    }, 20_000, 300);
    const e = events.find((x) => x.metadata?.annotations?.['labforge.dev/ssh-node'] === 'router')!;
    expect(e.metadata?.annotations?.['labforge.dev/ssh-fingerprint']).toBe(fp);
    expect(Number(e.metadata?.annotations?.['labforge.dev/ssh-bytes-out'])).toBeGreaterThan(0);
    expect(e.message).toMatch(new RegExp(`exec session of ${alice()} \\(key SHA256:`));
    expect(rig.logs.some((l) => l['event'] === 'session' && l['student'] === alice() && l['node'] === 'client-b' && l['exitCode'] === 3)).toBe(true);
  });

  it('keeps its host key across a restart, so known_hosts still matches', async () => {
    await gw.stop();
    const again = await ensureHostKey(cluster);
    expect(again.fingerprint).toBe(rig.hostKey.fingerprint);
    ({ gw } = await startGateway(rig, cluster, className, { port }));
    const r = await rig.ssh(port, keys['alice']!, alice(), 'echo same-host');
    expect(r).toMatchObject({ code: 0, stdout: 'same-host\n' });
  });

  it('the student cannot read or change key Secrets (SubjectAccessReview and a real request)', async () => {
    const ns = studentNamespace(className, alice());
    const user = `system:serviceaccount:${ns}:student`;
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) {
      const review = await cluster.create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: { name: '' }, spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`], resourceAttributes: { namespace: ns, verb, resource: 'secrets' } } } as never);
      expect((review as { status?: { allowed?: boolean } }).status?.allowed, verb).toBe(false);
    }
    const { studentCredentials } = await import('../../main/engine/class-ops');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { clusterFor } = await import('../../main/kube/http-cluster');
    const kc = new KubeConfig();
    kc.loadFromString((await studentCredentials(cluster, className, alice(), 600)).kubeconfig);
    const asStudent = clusterFor(kc);
    try {
      await expect(asStudent.list(SECRET, { namespace: ns })).rejects.toMatchObject({ kind: 'forbidden' });
    } finally {
      asStudent.close();
    }
  });
});

describe('labforge gateway (the command)', () => {
  it('listens on loopback unless told otherwise, and says the cluster is the local one', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/labforge.mjs'), 'gateway', '--class', className, '--listen', ':0', '--kubeconfig', testKubeconfigPath()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor('the gateway to say where it listens', async () => stderr.includes('\n') || undefined, 30_000, 100);
      const listening = JSON.parse(stdout.split('\n')[0]!) as { event: string; address: string; port: number };
      expect(listening).toMatchObject({ event: 'listening', address: '127.0.0.1' });
      expect(stderr).toMatch(new RegExp(`^listening on 127\\.0\\.0\\.1:${listening.port}, this machine only: the cluster is the local one \\(https://127\\.0\\.0\\.1:\\d+\\), so its labs are on this machine too; pass --listen 0\\.0\\.0\\.0:${listening.port} to let students on other machines in\n$`));
      // A real login through it, to the address it said.
      rig.trust([port, listening.port]);
      expect(await rig.ssh(listening.port, keys['carol']!, students[2]!, 'echo via-cli')).toMatchObject({ code: 0, stdout: 'via-cli\n' });
    } finally {
      child.kill('SIGTERM');
      rig.trust([port]);
    }
  }, 60_000);
});
