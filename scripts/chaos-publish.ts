/**
 * `npm run chaos`: the publish chaos run at full size on a second, private local control plane
 * (see scripts/chaos-scenarios.ts): 20 SIGKILLs of a 30-student publish (v1 fresh, v2 upgrade),
 * then kube-apiserver and etcd restarts mid-publish. Prints each round as it goes and a summary;
 * exits 1 if any round did not converge. CHAOS_SIZE=ci runs the small size the tests use.
 * Options (env): CHAOS_STUDENTS, CHAOS_KILLS, CHAOS_APISERVER, CHAOS_ETCD override the size;
 * CHAOS_KEEP=1 leaves the chaos cluster running for a look afterwards.
 */
import { writeFileSync } from 'node:fs';
import { CI, FULL, runChaos, summary, type ChaosSize } from './chaos-scenarios';
import { converged } from './chaos-checks';

const base = process.env['CHAOS_SIZE'] === 'ci' ? CI : FULL;
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const size: ChaosSize = {
  students: num('CHAOS_STUDENTS', base.students),
  killPoints: num('CHAOS_KILLS', base.killPoints),
  apiserverRestarts: num('CHAOS_APISERVER', base.apiserverRestarts),
  etcdRestarts: num('CHAOS_ETCD', base.etcdRestarts),
};
const stamp = () => new Date().toISOString().slice(11, 19);
console.log(`chaos: ${JSON.stringify(size)}`);
const report = await runChaos(size, (line) => console.log(`${stamp()} ${line}`), { keepCluster: process.env['CHAOS_KEEP'] === '1' });

const killsOk = report.kills.filter((k) => converged(k.convergence) && k.rerunExit === 0).length;
const restartsOk = report.restarts.filter((r) => r.finalOk && converged(r.convergence) && r.witnessLost.length === 0 && r.deadAfter.length === 0).length;
const sum = (f: (c: (typeof report.kills)[number]['convergence']) => number) =>
  [...report.kills.map((k) => k.convergence), ...report.restarts.map((r) => r.convergence)].reduce((a, c) => a + f(c), 0);
console.log('');
console.log(`SIGKILL points: ${report.kills.length} tried, ${killsOk} converged after one re-run (${report.missedKills} draws landed after the publish had finished and were not counted)`);
for (const r of report.restarts) {
  console.log(`${r.restart.component} restart: publish ${r.firstRun}, ${r.reruns} re-runs, ${summary(r.convergence)}, witness lost ${r.witnessLost.length}, dead components ${r.deadAfter.length}`);
}
console.log(`restarts mid-publish: ${report.restarts.length} tried, ${restartsOk} converged with nothing lost (${report.missedRestarts} more landed after the publish had ended: not counted)`);
console.log(`totals: ${sum((c) => c.missing.length)} missing, ${sum((c) => c.extra.length)} extra/duplicate, ${sum((c) => c.pvcChanged.length)} PVC UIDs changed, ${sum((c) => c.pods.length)} pod problems`);
console.log(`baseline publish of ${size.students} students: ${report.baseline.ms} ms; whole run ${(report.totalMs / 1000).toFixed(0)} s`);
if (process.env['CHAOS_REPORT']) writeFileSync(process.env['CHAOS_REPORT'], JSON.stringify(report, null, 2));
process.exit(killsOk === report.kills.length && report.kills.length >= size.killPoints && restartsOk === report.restarts.length && report.restarts.length >= size.apiserverRestarts + size.etcdRestarts ? 0 : 1);
