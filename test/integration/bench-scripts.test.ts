// Small runs of the benchmark scripts, so a benchmark that no longer runs, prints its summary
// or writes its figures is found by CI and not by the next person measuring. The figures of a
// small run say nothing and are not checked; what is checked is that the script completes on
// the real control plane, prints what docs/benchmarks.md promises, writes only its own block
// (into a copy, BENCH_DOCS) and leaves no class behind. Full runs: the commands in
// docs/benchmarks.md.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../common/compile/labels';
import { kindOf } from '../../main/kube/cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { SYSTEM_NAMESPACE } from '../../main/engine/release-record';
import { adminCluster, ROOT } from './helpers/engine';
import { testKubeconfigPath } from './helpers/kube';

const DOCS = join(ROOT, 'docs/benchmarks.md');
const dir = mkdtempSync(join(tmpdir(), 'labforge-bench-smoke-'));
const cluster = adminCluster();
const CONFIG_MAP = kindOf<{ metadata: { name?: string } }>('v1', 'ConfigMap');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cluster.close();
});

async function runBench(script: string, env: Record<string, string>): Promise<{ stdout: string; docs: string }> {
  const docs = join(dir, `${script}.md`);
  copyFileSync(DOCS, docs);
  const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts', `${script}.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_DOCS: docs },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { stdout, docs: readFileSync(docs, 'utf8') };
}

/** The text of `<!-- name:begin -->` … `<!-- name:end -->`, and the document without it. */
function block(text: string, name: string): { inside: string; outside: string } {
  const b = text.indexOf(`<!-- ${name}:begin -->`);
  const e = text.indexOf(`<!-- ${name}:end -->`);
  if (b < 0 || e < b) throw new Error(`no block ${name}`);
  return { inside: text.slice(b, e), outside: text.slice(0, b) + text.slice(e) };
}

describe('benchmark scripts, small runs', () => {
  it('bench:cli ends with its summary line and rewrites only its own block', async () => {
    const before = readFileSync(DOCS, 'utf8');
    const { stdout, docs } = await runBench('bench-cli', { BENCH_CLI_RUNS: '2' });
    const last = stdout.trim().split('\n').at(-1);
    expect(last).toMatch(/^cli: help \d+ ms, validate \d+ ms, compile \d+ ms, kubectl \d+ ms$/);
    const now = block(docs, 'bench:cli');
    expect(now.inside).toContain('2 runs of each command');
    for (const goal of ['≤ 150 ms', '≤ 250 ms', '≤ 400 ms']) expect(now.inside).toContain(goal);
    // Everything else, the other benchmark's block in the same section included, is as it was.
    expect(now.outside).toBe(block(before, 'bench:cli').outside);
    expect(readFileSync(DOCS, 'utf8')).toBe(before);
  }, 180_000);

  it('bench:publish measures publish, the ceiling and both kubectl baselines, and tears its classes down', async () => {
    const classesBefore = new Set((await cluster.list(CONFIG_MAP, { namespace: SYSTEM_NAMESPACE })).items.map((c) => c.metadata.name));
    const { stdout, docs } = await runBench('bench-publish', {
      BENCH_KUBECONFIG: testKubeconfigPath(),
      BENCH_SIZES: '2',
      BENCH_REPEATS: '1',
      BENCH_SWEEP_REPEATS: '1',
      BENCH_CONCURRENCY: '16',
      BENCH_CEILING_CONCURRENCY: '16',
      BENCH_DECOMPOSE: '0',
      BENCH_SSA: '0',
      BENCH_ORDERED: '0',
      BENCH_AUTH: '0',
    });
    // routing-lab has 17 objects per student; every method's time is in the row.
    expect(stdout).toMatch(/^\| 2 \| 34 \| [\d.]+ s \([\d.]+\/s\) \| [\d.]+ s \([\d.]+\/s\) \| [\d.]+ s \([\d.]+\/s\) \| [\d.]+ s \([\d.]+\/s\) \| [\d.]+× \| [\d.]+× \| [\d.]+× \|$/m);
    for (const method of ['publish', 'ceiling', 'one kubectl', 'kubectl loop']) expect(stdout).toMatch(new RegExp(`^\\| 2 \\| ${method} \\| \\d+% \\| \\d+% `, 'm'));
    const written = block(docs, 'bench:publish').inside;
    expect(written).toContain('BENCH_SIZES=2');
    expect(written).toContain('BENCH_DECOMPOSE=0');
    expect(written).toContain('| 2 | 34 |');
    // Each measured class was torn down: no namespace and no class record of a bench class is left.
    const benchClass = /^b[a-z][0-9a-f]{4}-\d+$/;
    const namespaces = (await cluster.list(NAMESPACE, { labelSelector: LABEL.class })).items;
    expect(namespaces.map((n) => n.metadata?.labels?.[LABEL.class] ?? '').filter((c) => benchClass.test(c))).toEqual([]);
    const records = (await cluster.list(CONFIG_MAP, { namespace: SYSTEM_NAMESPACE })).items.map((c) => c.metadata.name ?? '');
    expect(records.filter((n) => !classesBefore.has(n) && benchClass.test(n.replace(/^labforge-class-/, '')))).toEqual([]);
  }, 300_000);

  it('bench:real-class times a class against the node ceiling on the real node, and leaves no namespace behind', async () => {
    const { stdout, docs } = await runBench('bench-real-class', { BENCH_STUDENTS: '2', BENCH_LABS: 'web-db', KUBECONFIG: testKubeconfigPath() });
    expect(stdout).toMatch(/\| web-db \| 2 \| 4 \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|/);
    const written = block(docs, 'bench:real-class').inside;
    expect(written).toContain('BENCH_STUDENTS=2 BENCH_LABS=web-db');
    const left = (await cluster.list(NAMESPACE)).items.map((n) => n.metadata?.name ?? '').filter((n) => n.startsWith('brc-'));
    expect(left).toEqual([]);
  }, 300_000);

  it('bench:resume suspends and resumes a class on the real node against a fresh publish, and leaves no namespace behind', async () => {
    const { stdout, docs } = await runBench('bench-resume', { BENCH_STUDENTS: '2', BENCH_LAB: 'routing-lab', BENCH_WINDOW_MS: '1000', KUBECONFIG: testKubeconfigPath() });
    expect(stdout).toMatch(/^\| routing-lab \| 2 \| \d+ \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \| [\d.]+ → [\d.]+ s \| [\d.]+ \/ [\d.]+ cores \| \d+ \/ \d+ MiB \|$/m);
    expect(block(docs, 'bench:resume').inside).toContain('BENCH_STUDENTS=2 BENCH_LAB=routing-lab');
    const left = (await cluster.list(NAMESPACE)).items.map((n) => n.metadata?.name ?? '').filter((n) => n.startsWith('bct-'));
    expect(left).toEqual([]);
  }, 300_000);

  it('bench:republish times a first publish against unchanged re-publishes through the CLI', async () => {
    const { stdout, docs } = await runBench('bench-republish', { BENCH_STUDENTS: '2', BENCH_REPEATS: '1', KUBECONFIG: testKubeconfigPath() });
    expect(stdout).toMatch(/^\| 2 \| [\d.]+ s \| [\d.]+ s \| [\d.]+ \(per round: [\d.]+\) \|/m);
    expect(block(docs, 'bench:republish').inside).toContain('BENCH_STUDENTS=2 BENCH_REPEATS=1');
  }, 300_000);
});
