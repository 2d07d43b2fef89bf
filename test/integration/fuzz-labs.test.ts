// The lab fuzz suite: generated mutants of the shipped examples and of random valid labs go
// through the real `labforge compile` process. Each must exit 0 or 1 (never a crash), list only
// positioned, escaped errors, and stay under 10 s and 512 MB; whatever it accepts must pass the
// API server's own validation (server-side dry-run) on the local control plane.
// A bigger run with another seed: `npx tsx scripts/fuzz-labs.ts --count 3000 --seed 7`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE } from '../../main/kube/kinds';
import { dryRunAll } from '../helpers/dry-run';
import { BUDGET, describeProblems, runMutants, type MutantRun } from '../helpers/fuzz-cli';
import { labMutants } from '../helpers/lab-fuzz';
import { adminCluster, ROOT } from './helpers/engine';
import { randomId } from './helpers/kube';

const SEED = 1_5_2026;
const COUNT = 320;

const cluster = adminCluster();
const namespace = `fuzz-${randomId()}`;
let runs: MutantRun[] = [];

beforeAll(async () => {
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'labforge.dev/test': 'integration' } } });
  // One run first, so a bundle that is out of date is rebuilt once rather than by two runs at once.
  await promisify(execFile)(process.execPath, [join(ROOT, 'bin/labforge.mjs'), '--help']);
}, 120_000);

afterAll(async () => {
  await cluster.delete(NAMESPACE, namespace).catch(() => undefined);
  cluster.close();
});

describe(`labforge compile on ${COUNT} lab mutants (seed ${SEED})`, () => {
  const mutants = labMutants(SEED, COUNT);

  it('has at least 300 distinct mutants', () => {
    expect(new Set(mutants.map((m) => m.text)).size).toBeGreaterThanOrEqual(300);
  });

  it(`every run exits 0 or 1 with positioned errors, within ${BUDGET.ms / 1000} s of CPU and ${BUDGET.rssKb / 1024} MB`, async () => {
    runs = await runMutants(mutants, namespace, 2);
    const accepted = runs.filter((r) => r.code === 0).length;
    const max = (pick: (r: MutantRun) => number | undefined) => Math.max(...runs.map((r) => pick(r) ?? 0));
    console.log(
      `fuzz: ${runs.length} mutants, ${accepted} accepted, ${runs.length - accepted} refused; ` +
        `most CPU ${max((r) => r.cpuMs)} ms (all ${Math.round(runs.reduce((n, r) => n + (r.cpuMs ?? 0), 0) / 1000)} s), ` +
        `slowest wall ${max((r) => r.ms)} ms, peak RSS ${Math.round(max((r) => r.maxRssKb) / 1024)} MB`,
    );
    expect(describeProblems(runs)).toEqual([]);
    // Both outcomes occur, or the suite tests less than it claims.
    expect(accepted).toBeGreaterThan(0);
    expect(runs.length - accepted).toBeGreaterThan(0);
  }, 600_000);

  it('every accepted mutant compiles to objects the API server accepts (dryRun=All)', async () => {
    const accepted = runs.filter((r) => r.code === 0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of accepted) for (const o of r.objects) expect(o.metadata.namespace ?? o.metadata.name).toBe(namespace);
    const { sent, failures } = await dryRunAll(cluster, accepted.map((r) => ({ source: `mutant ${r.mutant.id} (${r.mutant.how})`, objects: r.objects })), 12);
    console.log(`fuzz: ${sent} distinct objects dry-run from ${accepted.length} accepted mutants`);
    expect(failures).toEqual([]);
  }, 300_000);
});
