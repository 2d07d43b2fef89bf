// The lab fuzz suite at any size: generated lab mutants through the real `labforge compile`
// process (exit 0 or 1, positioned escaped errors, CPU time and peak memory budgets), and what
// the accepted ones compile to through a server-side dry-run on a cluster. CI runs 320 mutants
// of one seed (test/integration/fuzz-labs.test.ts); this runs more, or other seeds:
//
//   npx tsx scripts/fuzz-labs.ts --count 3000 --seed 7 [--concurrency 2] [--no-dry-run]
//
// The dry-run uses KUBECONFIG (or ~/.kube/config), e.g. the local control plane's
// .labforge/cluster/kubeconfig; a namespace fuzz-<random> is created for it and deleted after.
// Exits 1 when any mutant breaks a rule, printing each with the seed-relative id that
// regenerates it (labMutants(seed, count)[id]).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { connect } from '../main/kube/http-cluster';
import { NAMESPACE } from '../main/kube/kinds';
import { dryRunAll } from '../test/helpers/dry-run';
import { describeProblems, runMutants } from '../test/helpers/fuzz-cli';
import { labMutants } from '../test/helpers/lab-fuzz';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    concurrency: { type: 'string', default: '2' },
    'no-dry-run': { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);

async function main(): Promise<number> {
  const started = Date.now();
  const mutants = labMutants(seed, count);
  const namespace = `fuzz-${randomBytes(4).toString('hex')}`;
  const cluster = values['no-dry-run'] ? undefined : connect();
  try {
    if (cluster) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const runs = await runMutants(mutants, namespace, concurrency);
    const accepted = runs.filter((r) => r.code === 0);
    const max = (xs: (number | undefined)[]) => Math.max(0, ...xs.map((x) => x ?? 0));
    process.stdout.write(
      `seed ${seed}: ${runs.length} mutants, ${accepted.length} accepted, ${runs.length - accepted.length} refused; ` +
        `most CPU ${max(runs.map((r) => r.cpuMs))} ms, slowest wall ${max(runs.map((r) => r.ms))} ms, ` +
        `peak RSS ${Math.round(max(runs.map((r) => r.maxRssKb)) / 1024)} MB\n`,
    );
    const problems = describeProblems(runs);
    for (const p of problems) process.stdout.write(`FAIL ${p}\n`);
    let dryRunFailures = 0;
    if (cluster) {
      const { sent, failures } = await dryRunAll(cluster, accepted.map((r) => ({ source: `mutant ${r.mutant.id} (${r.mutant.how})`, objects: r.objects })), 12);
      process.stdout.write(`dry-run: ${sent} distinct objects, ${failures.length} refused\n`);
      for (const f of failures) process.stdout.write(`FAIL dry-run ${f.object} from ${f.sources[0]}: ${f.message}\n`);
      dryRunFailures = failures.length;
    }
    process.stdout.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);
    return problems.length + dryRunFailures > 0 ? 1 : 0;
  } finally {
    if (cluster) {
      await cluster.delete(NAMESPACE, namespace).catch(() => undefined);
      cluster.close();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
