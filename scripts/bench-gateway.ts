/**
 * `npm run bench:gateway`: a bounded load test of the SSH gateway on the local control plane,
 * into real containers on its real node.
 * 50 real OpenSSH clients log in at once (5 students × 10 sessions), each runs a command, and
 * every one must succeed with the right output and exit status. Not a test; nothing here
 * asserts a speed.
 *
 * Figures, each against a baseline measured in the same run:
 *   - login time (spawn of `ssh` to its first output byte, which needs the key exchange, the
 *     public-key signature check, the node lookup and the exec): p50 and p95, against the same
 *     command run the same 50 times at once through the Kubernetes exec API directly (no SSH);
 *   - that time split at OpenSSH's "Authenticated to" (key exchange and public-key check before
 *     it; the channel, the node lookup and the exec after it);
 *   - the gateway's peak memory (this process's RSS, sampled every 20 ms while the sessions run),
 *     against its RSS idle with the key index loaded just before.
 *
 * Options (env): BENCH_SESSIONS=50, BENCH_STUDENTS=5. Run with the local cluster's kubeconfig:
 *   KUBECONFIG_LABFORGE_TEST=.labforge/cluster/kubeconfig npm run bench:gateway
 * Ends with: `gateway: N/N ok, login p50 A ms p95 B ms (direct exec p95 C ms, ×R), peak RSS X MiB (idle Y MiB, +Z MiB)`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devNamespace, studentNamespace } from '../common/compile';
import { NAMESPACE } from '../main/kube/kinds';
import { numberedStudents } from '../main/class/roster';
import { teardown } from '../main/engine/class-ops';
import { publish } from '../main/engine/publish';
import { ensureHostKey } from '../main/gateway/host-key';
import { addKey } from '../main/gateway/key-store';
import { Gateway } from '../main/gateway/server';
import { commandArgv, newMarker, TrailerStripper } from '../main/gateway/command';
import { findPod, podContainers } from '../main/streams';
import { execStreaming } from '../main/streams/exec-stream';
import { adminCluster, exampleLab, lightweight, makeRelease, uniqueLab } from '../test/integration/helpers/engine';
import { loadTestKubeConfig, onRealNode, randomId, waitForRunningPod } from '../test/integration/helpers/kube';
import { writeBenchOutput } from './bench-report';

const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 50);
const STUDENTS = Number(process.env['BENCH_STUDENTS'] ?? 5);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

const cluster = adminCluster();
const kc = loadTestKubeConfig();
const className = `bgw-${randomId(3)}`;
const dir = mkdtempSync(join(tmpdir(), 'labforge-bench-ssh-'));
let gw: Gateway | undefined;
try {
  // The class runs on the real node (real containers, real exec); requests lowered so 5 students
  // of routing-lab fit its two cores beside the control plane.
  const lab = lightweight(uniqueLab(exampleLab('routing-lab.yaml'), 'bgw'));
  const release = await makeRelease(cluster, lab, 'v1');
  const students = numberedStudents(STUDENTS).map((s) => s.id);
  await onRealNode(kc, students.map((s) => studentNamespace(className, s)));
  await publish(cluster, { className, students: students.map((id) => ({ id })), release });
  await cluster.delete(NAMESPACE, devNamespace(lab.metadata.name));
  const key = join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  for (const s of students) {
    await waitForRunningPod(kc, studentNamespace(className, s), 'labforge.dev/node=router');
    await addKey(cluster, { className, student: s, key: readFileSync(`${key}.pub`, 'utf8') });
  }
  const hostKey = await ensureHostKey(cluster);
  // Every simulated student comes from 127.0.0.1, so the per-address cap must hold them all.
  gw = new Gateway({ cluster, kubeConfig: kc, className, hostKey, host: '127.0.0.1', port: 0, limits: { sessionsPerStudent: SESSIONS, maxConnectionsPerAddress: Math.max(100, SESSIONS) }, log: () => undefined });
  const port = await gw.start();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey.publicKey}\n`);
  const command = 'echo ok; exit 7';

  // Baseline: the same command, the same number at once, through the exec API directly.
  const targets = await Promise.all(students.map(async (s) => {
    const namespace = studentNamespace(className, s);
    const pod = await findPod(cluster, { namespace, node: 'router' });
    return { namespace, pod: pod.metadata?.name ?? '', container: podContainers(pod).defaultContainer };
  }));
  const direct = await Promise.all(Array.from({ length: SESSIONS }, async (_, i) => {
    const marker = newMarker();
    const strip = new TrailerStripper(marker);
    const t0 = performance.now();
    let first = 0;
    await execStreaming(kc, targets[i % targets.length]!, commandArgv(marker, command), (b) => {
      first ||= performance.now() - t0;
      strip.push(b);
    });
    return { ms: first, code: strip.finish().code };
  }));
  const directOk = direct.filter((d) => d.code === 7).length;

  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const results = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => new Promise<{ ms: number; authMs: number; ok: boolean }>((resolve) => {
    const student = students[i % students.length]!;
    const t0 = performance.now();
    let first = 0;
    // OpenSSH logs "Authenticated to …" at LogLevel VERBOSE once the key exchange and the
    // public-key check are done: the split between the SSH handshake and the exec behind it.
    let authMs = 0;
    let err = '';
    let out = '';
    const child = spawn('ssh', ['-F', '/dev/null', '-p', String(port), '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=VERBOSE', `${student}+router@127.0.0.1`, command]);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!authMs && err.includes('Authenticated to')) authMs = performance.now() - t0;
    });
    child.stdout.on('data', (d: Buffer) => {
      first ||= performance.now() - t0;
      out += d.toString();
    });
    child.stdin.end();
    child.on('close', (code) => resolve({ ms: first, authMs, ok: code === 7 && out === 'ok\n' }));
  })));
  clearInterval(sampler);
  const ok = results.filter((r) => r.ok).length;
  const logins = results.filter((r) => r.ms > 0).map((r) => r.ms);
  const directMs = direct.map((d) => d.ms);
  const p95 = pct(logins, 95);
  const split = results.filter((r) => r.ms > 0 && r.authMs > 0 && r.authMs <= r.ms);
  const handshake = split.map((r) => r.authMs);
  const afterAuth = split.map((r) => r.ms - r.authMs);
  const report = [
    `sessions: ${ok}/${SESSIONS} succeeded (output "ok", exit status 7); direct exec baseline ${directOk}/${SESSIONS}`,
    split.length
      ? `split (${split.length} sessions): SSH handshake and key check p50 ${pct(handshake, 50).toFixed(0)} ms, p95 ${pct(handshake, 95).toFixed(0)} ms; authenticated to first output p50 ${pct(afterAuth, 50).toFixed(0)} ms, p95 ${pct(afterAuth, 95).toFixed(0)} ms`
      : 'split: ssh never logged "Authenticated to" (LogLevel VERBOSE); no split',
    `login to first output: p50 ${pct(logins, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms; direct exec p50 ${pct(directMs, 50).toFixed(0)} ms, p95 ${pct(directMs, 95).toFixed(0)} ms`,
    `gateway: ${ok}/${SESSIONS} ok, login p50 ${pct(logins, 50).toFixed(0)} ms p95 ${p95.toFixed(0)} ms (direct exec p95 ${pct(directMs, 95).toFixed(0)} ms, ×${(p95 / pct(directMs, 95)).toFixed(2)}), peak RSS ${mib(peak)} MiB (idle ${mib(idle)} MiB, +${mib(peak - idle)} MiB)`,
  ];
  for (const line of report) console.log(line);
  writeBenchOutput('## SSH gateway', 'bench:gateway', `BENCH_SESSIONS=${SESSIONS} BENCH_STUDENTS=${STUDENTS} npm run bench:gateway`, report);
  if (ok !== SESSIONS) process.exitCode = 1;
} finally {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
  await teardown(cluster, className).catch(() => undefined);
  cluster.close();
}
