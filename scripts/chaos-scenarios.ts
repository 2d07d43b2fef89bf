/**
 * The chaos scenarios, shared by `npm run chaos` (full size) and the integration test (CI size):
 *
 * 1. SIGKILL the publishing CLI at random points, then run the same command again. Each class
 *    gets two points: one during its first publish (v1, namespaces being created) and one during
 *    the upgrade to v2 (objects updated, added and pruned; the PVC must survive as the same
 *    object). After each re-run the class must have converged: nothing missing, nothing extra,
 *    one pod per node, PVC UIDs unchanged.
 * 2. Restart kube-apiserver mid-publish, and separately etcd: SIGKILL the real process, keep it
 *    down a few seconds, start the same command line again. The publish either completes or a
 *    re-run converges; a class published before the restart keeps every object (same UIDs).
 *
 * Kill points are drawn uniformly from the window in which an uninterrupted publish writes
 * (from just before its first finished student to its exit), measured in the same run; a kill
 * also comes once a drawn number of students (1 to N-1) is done, and a restart once the first
 * student is, so a publish running faster than the probe did is still interrupted mid-way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseLab, type Lab } from '../common/lab';
import { numberedStudents } from '../main/class/roster';
import { APP_ROOT } from '../main/paths';
import { sleep } from '../main/cluster/process';
import { deploy } from '../main/engine/deploy';
import { classNamespaces, studentTarget } from '../main/engine/publish';
import { snapshot, type Release } from '../main/engine/releases';
import { kindOf } from '../main/kube/cluster';
import { NAMESPACE } from '../main/kube/kinds';
import { withRetry } from '../main/kube/retry';
import { checkClass, classUids, converged, pvcUids, type Convergence } from './chaos-checks';
import { deadComponents, publishCli, restartComponent, startChaosCluster, type ChaosCluster, type CliRun, type Restart } from './chaos-rig';

export interface ChaosSize {
  students: number;
  killPoints: number;
  apiserverRestarts: number;
  etcdRestarts: number;
}
export const FULL: ChaosSize = { students: 30, killPoints: 20, apiserverRestarts: 3, etcdRestarts: 3 };
export const CI: ChaosSize = { students: 10, killPoints: 4, apiserverRestarts: 1, etcdRestarts: 1 };

export interface KillPoint {
  className: string;
  tag: string;
  /** ms after the CLI started. */
  killAtMs: number;
  /** Students the killed CLI had reported finished. */
  studentsDone: number;
  /** Namespaces of the class that existed right after the kill. */
  namespacesAtKill: number;
  rerunExit: number | null;
  rerunMs: number;
  convergence: Convergence;
}

export interface RestartRound {
  className: string;
  restart: Restart;
  /** ms after the CLI started. */
  restartAtMs: number;
  studentsDoneAtRestart: number;
  /** The interrupted publish itself: completed (exit 0, all published), failed (non-zero), hung (killed after the timeout). */
  firstRun: 'completed' | 'failed' | 'hung';
  firstRunMs: number;
  /** The interrupted run's last error line, when it did not complete. */
  firstRunError?: string;
  reruns: number;
  /** The last re-run's error line, when even that did not publish everyone. */
  lastRerunError?: string;
  /** The error of every re-run that failed, in order (a converged round may still have needed several). */
  rerunErrors?: string[];
  /** The last run (the first, or the last re-run) reported every student published. */
  finalOk: boolean;
  convergence: Convergence;
  /** Objects of the witness class (published before) that vanished or were recreated. */
  witnessLost: string[];
  /** Components of the chaos cluster found dead after the round. */
  deadAfter: string[];
}

export interface ChaosReport {
  size: ChaosSize;
  baseline: { ms: number; firstProgressMs: number; window: [number, number] };
  /** The checks found a Service deleted on purpose (they can fail). */
  controlDetected: boolean;
  kills: KillPoint[];
  /** CLI runs that finished before the drawn kill time (not counted as points). */
  missedKills: number;
  /** Restarts while the publish was running. */
  restarts: RestartRound[];
  /** Restarts drawn after the publish had finished (checked, but not counted as mid-publish). */
  restartsAfterPublish: RestartRound[];
  missedRestarts: number;
  totalMs: number;
}

const SERVICE = kindOf('v1', 'Service');
const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const uid = () => Math.random().toString(16).slice(2, 6);

/** web-db (a StatefulSet with a PVC) as v1, and a v2 that adds a node, changes one and drops the exposure. */
function labs(): { v1: Lab; v2: Lab } {
  const doc = parse(readFileSync(join(APP_ROOT, 'resources', 'examples', 'web-db.yaml'), 'utf8')) as {
    metadata: { name: string };
    nodes: Array<{ name: string; env?: Record<string, string> } & Record<string, unknown>>;
    exposures?: unknown[];
  };
  doc.metadata.name = `chaos-${uid()}-web-db`;
  const v1 = decode(stringify(doc));
  const web = doc.nodes.find((n) => n.name === 'web')!;
  web.env = { ...(web.env ?? {}), GREETING: 'v2' };
  doc.nodes.push({ name: 'cache', kind: 'container', image: 'redis:7', ports: [{ port: 6379 }], networks: ['backend'] });
  doc.exposures = [];
  return { v1, v2: decode(stringify(doc)) };
}

function decode(text: string): Lab {
  const r = parseLab(text);
  if (!r.ok) throw new Error(`the chaos lab does not parse: ${r.issues[0]?.message}`);
  return r.lab;
}

async function release(cc: ChaosCluster, lab: Lab, tag: string): Promise<Release> {
  const d = await deploy(cc.client, lab, { timeoutMs: 180_000 });
  if (!d.ready) throw new Error(`dev of ${lab.metadata.name} did not become ready for ${tag}`);
  return snapshot(cc.client, tag, { fileLab: lab, note: 'chaos' });
}

async function namespacesOf(cc: ChaosCluster, className: string): Promise<number> {
  return (await settled(() => classNamespaces(cc.client, className))).length;
}

/** Deletes a class's namespaces without waiting: later rounds need not pay for it. */
async function dropClass(cc: ChaosCluster, className: string): Promise<void> {
  for (const ns of await classNamespaces(cc.client, className)) await cc.client.delete(NAMESPACE, ns.metadata!.name!).catch(() => undefined);
}

/**
 * The checks' own reads, retried like the engine's (429, 5xx, dropped connections): a freshly
 * restarted API server answers 429 for a while, which says nothing about the class.
 */
const settled = <T>(fn: () => Promise<T>) => withRetry(fn, { attempts: 12, maxMs: 5000 });

const published = (stdout: string, n: number) => stdout.includes(`${n} published, 0 failed`);

async function finish(run: CliRun, timeoutMs: number): Promise<{ outcome: 'completed' | 'failed' | 'hung'; ms: number; code: number | null; stdout: string; stderr: string }> {
  const timer = sleep(timeoutMs).then(() => undefined);
  const r = await Promise.race([run.done, timer]);
  if (!r) {
    run.kill();
    const k = await run.done;
    return { outcome: 'hung', ms: k.ms, code: k.code, stdout: k.stdout, stderr: k.stderr };
  }
  return { outcome: r.code === 0 ? 'completed' : 'failed', ms: r.ms, code: r.code, stdout: r.stdout, stderr: r.stderr };
}

export async function runChaos(size: ChaosSize, log: (line: string) => void = () => {}, opts: { keepCluster?: boolean; clusterName?: string } = {}): Promise<ChaosReport> {
  const t0 = Date.now();
  const cc = await startChaosCluster((l) => log(`[cluster] ${l}`), opts.clusterName);
  try {
    const { v1: lab1, v2: lab2 } = labs();
    const v1 = await release(cc, lab1, 'v1');
    const v2 = await release(cc, lab2, 'v2');
    const labName = lab1.metadata.name;
    const students = numberedStudents(size.students);
    const N = size.students;

    // Baseline, uninterrupted; its class is also the witness for the restarts.
    const witness = `chaos-w-${uid()}`;
    const base = await finish(publishCli(cc, labName, 'v1', witness, N), 300_000);
    if (base.outcome !== 'completed' || !published(base.stdout, N)) throw new Error(`the baseline publish did not complete (${base.outcome}):\n${base.stderr.slice(-2000)}`);
    const witnessCheck = await settled(() => checkClass(cc.client, witness, students, v1));
    if (!converged(witnessCheck)) throw new Error(`the baseline class did not converge: ${JSON.stringify(witnessCheck)}`);
    // The first-progress time of a run on a warm CLI bundle: re-measure on a second class.
    const probeClass = `chaos-b-${uid()}`;
    const probeRun = publishCli(cc, labName, 'v1', probeClass, N);
    const probe = await finish(probeRun, 300_000);
    // A control for the checks themselves: a Service deleted behind the engine's back must show up missing.
    const victim = studentTarget(probeClass, students[0]!, v1).namespace;
    await cc.client.delete(SERVICE, 'web', victim);
    const control = await settled(() => checkClass(cc.client, probeClass, students, v1, { podSettleMs: 0 }));
    const controlDetected = control.missing.includes(`${victim}:v1/Service/web`);
    const firstProgressMs = probeRun.firstProgressMs() ?? probe.ms / 2;
    const window: [number, number] = [Math.max(0, firstProgressMs - (probe.ms - firstProgressMs) / N), probe.ms];
    log(`baseline: ${N} students in ${base.ms} ms (then ${probe.ms} ms, first student after ${firstProgressMs} ms); kill window ${window.map(Math.round).join('–')} ms`);
    const report: ChaosReport = { size, baseline: { ms: probe.ms, firstProgressMs, window }, controlDetected, kills: [], missedKills: 0, restarts: [], restartsAfterPublish: [], missedRestarts: 0, totalMs: 0 };
    log(`control: a deleted Service ${controlDetected ? 'was' : 'was NOT'} reported missing (${control.missing.join(', ') || 'nothing missing'})`);
    await dropClass(cc, probeClass);

    // 1. SIGKILL the CLI.
    let attempts = 0;
    while (report.kills.length < size.killPoints && attempts < size.killPoints * 3) {
      const className = `chaos-k-${uid()}`;
      let pvcsBefore: Map<string, string> | undefined;
      for (const [tag, rel] of [['v1', v1], ['v2', v2]] as const) {
        if (report.kills.length >= size.killPoints) break;
        attempts++;
        const drawnMs = rand(window[0], window[1]);
        // Or once a drawn number of students is done, whichever comes first: the window comes from
        // one probe run, and when the machine's load falls after it every drawn time can be past
        // the end of a publish (a whole run of missed kills on a busy machine).
        const killAfter = 1 + Math.floor(Math.random() * (N - 1));
        const run = publishCli(cc, labName, tag, className, N);
        const t0 = Date.now();
        await Promise.race([
          (async () => {
            while (Date.now() - t0 < drawnMs && run.progress() < killAfter && !run.exited()) await sleep(20);
          })(),
          run.done,
        ]);
        const killAtMs = Date.now() - t0;
        const killed = !run.exited();
        if (killed) run.kill();
        const first = await run.done;
        const studentsDone = run.progress();
        const namespacesAtKill = await namespacesOf(cc, className);
        const again = await finish(publishCli(cc, labName, tag, className, N), 300_000);
        const convergence = await settled(() => checkClass(cc.client, className, students, rel, pvcsBefore ? { pvcsBefore } : {}));
        if (!published(again.stdout, N)) convergence.missing.push(`the re-run did not report ${N} published, 0 failed (exit ${again.code}): ${lastError(again.stderr, 1000)}`);
        if (killed && first.signal === 'SIGKILL') {
          report.kills.push({ className, tag, killAtMs: Math.round(killAtMs), studentsDone, namespacesAtKill, rerunExit: again.code, rerunMs: again.ms, convergence });
          log(`kill ${report.kills.length}/${size.killPoints}: ${tag} of ${className} at ${Math.round(killAtMs)} ms (${studentsDone}/${N} done, ${namespacesAtKill} namespaces); re-run ${again.code === 0 ? 'ok' : `exit ${again.code}`} in ${again.ms} ms; ${summary(convergence)}`);
        } else {
          report.missedKills++;
          log(`missed: ${tag} of ${className} finished in ${first.ms} ms, before ${Math.round(killAtMs)} ms; ${summary(convergence)}`);
        }
        // The upgrade must keep the volumes the first release made.
        if (tag === 'v1') pvcsBefore = await settled(() => pvcUids(cc.client, className));
      }
      await dropClass(cc, className);
    }

    // 2. Restart the API server, then etcd, mid-publish.
    const plan: Restart['component'][] = [...Array<Restart['component']>(size.apiserverRestarts).fill('kube-apiserver'), ...Array<Restart['component']>(size.etcdRestarts).fill('etcd')];
    for (let p = 0, tries = 0; p < plan.length && tries < plan.length * 5; tries++) {
      const component = plan[p]!;
      const before = await settled(() => classUids(cc.client, witness, students, v1));
      const className = `chaos-r-${uid()}`;
      const run = publishCli(cc, labName, 'v1', className, N);
      // The first half of the window: a restart takes a moment to bite, and a small class may
      // finish before a point late in the window (then the round is drawn again). The point is
      // also reached when the first student is done: publish got faster than the baseline
      // measured on a busy machine would say, and a point drawn from that baseline alone
      // missed every round of a run where the load fell after it.
      const restartAtMs = rand(window[0], window[0] + (window[1] - window[0]) / 2);
      const t0 = Date.now();
      await Promise.race([
        (async () => {
          while (Date.now() - t0 < restartAtMs && run.progress() < 1 && !run.exited()) await sleep(20);
        })(),
        run.done,
      ]);
      const atMs = Date.now() - t0;
      const studentsDoneAtRestart = run.progress();
      // A publish that already ended makes no mid-publish round: the restart still happens (and
      // is checked), but another round is drawn.
      const midPublish = !run.exited();
      if (midPublish) p++;
      else report.missedRestarts++;
      const restart = await restartComponent(cc, component, Math.round(rand(1000, 4000)));
      const first = await finish(run, 300_000);
      let ok = first.outcome === 'completed' && published(first.stdout, N);
      let reruns = 0;
      let lastRerunError: string | undefined;
      const rerunErrors: string[] = [];
      while (!ok && reruns < 3) {
        // After the first re-run, give the controllers (quota recount, namespace lifecycle) a moment.
        if (reruns > 0) await sleep(15_000);
        reruns++;
        const again = await finish(publishCli(cc, labName, 'v1', className, N), 300_000);
        ok = again.outcome === 'completed' && published(again.stdout, N);
        lastRerunError = ok ? undefined : lastError(again.stderr);
        if (!ok) rerunErrors.push(`${again.outcome} in ${again.ms} ms: ${lastError(again.stderr)}`);
      }
      const convergence = await settled(() => checkClass(cc.client, className, students, v1));
      const after = await settled(() => classUids(cc.client, witness, students, v1));
      const witnessLost = [...before].filter(([k, u]) => after.get(k) !== u).map(([k]) => k);
      const deadAfter = deadComponents(cc);
      (midPublish ? report.restarts : report.restartsAfterPublish).push({ className, restart, restartAtMs: Math.round(atMs), studentsDoneAtRestart, firstRun: first.outcome, firstRunMs: first.ms, ...(first.outcome === 'completed' ? {} : { firstRunError: lastError(first.stderr) }), reruns, finalOk: ok, ...(lastRerunError ? { lastRerunError } : {}), ...(rerunErrors.length ? { rerunErrors } : {}), convergence, witnessLost, deadAfter });
      log(
        `${midPublish ? '' : '(after the publish ended, not counted) '}${component} restart at ${Math.round(atMs)} ms (${studentsDoneAtRestart}/${N} done; down ${restart.downMs} ms, back in ${restart.backMs} ms): ` +
          `publish ${first.outcome} in ${first.ms} ms${first.outcome === 'completed' ? '' : ` (${lastError(first.stderr)})`}, ${reruns} re-runs${rerunErrors.length ? ` (failed re-runs: ${rerunErrors.join(' | ')})` : ''}; ${summary(convergence)}; witness lost ${witnessLost.length}/${before.size}; dead components: ${deadAfter.join(', ') || 'none'}`,
      );
      await dropClass(cc, className);
    }
    report.totalMs = Date.now() - t0;
    return report;
  } finally {
    if (!opts.keepCluster) await cc.stop().catch((e: unknown) => log(`stopping the chaos cluster: ${String(e)}`));
  }
}

/**
 * The last line of a run's stderr that reports a failure (a failed student or the CLI's error),
 * after the first failed student's own error when there was one: the summary alone ("10 students
 * failed") does not say why.
 */
function lastError(stderr: string, width = 300): string {
  const lines = stderr.split('\n').filter((l) => /failed|error/i.test(l));
  const last = (lines[lines.length - 1] ?? stderr.trim().split('\n').pop() ?? '').slice(0, width);
  const firstStudent = lines.find((l) => /^\[\d+\/\d+\] \S+ \S+ failed: /.test(l));
  return firstStudent && firstStudent !== lines[lines.length - 1] ? `${firstStudent.slice(0, width)} … ${last}` : last;
}

export function summary(c: Convergence): string {
  return `${c.objects} objects, ${c.missing.length} missing, ${c.extra.length} extra, ${c.wrongRelease.length} of another release, ${c.pods.length} pod problems, ${c.pvcChanged.length} PVCs changed`;
}
