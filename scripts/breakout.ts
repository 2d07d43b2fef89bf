/**
 * The adversarial suite, run as a student against a class published on the local cluster's real
 * node (issue 27): every attempt in test/breakout/attempts.ts, through exec, the app's terminal
 * path, an SSH gateway login and the student's own kubeconfig. Prints a table of what each
 * attempt got back and ends with `breakout: N attempts, M succeeded`; a full run writes the
 * table into docs/security.md (## Breakout, block `breakout`).
 *
 *   npm run breakout                       (needs `labforge cluster up` with the real node)
 *   BREAKOUT_ONLY=mount-proc,etcd npm run breakout   (a few attempts; docs untouched)
 *
 * The kubeconfig is $KUBECONFIG or <LABFORGE_CLUSTER_DIR or .labforge/cluster>/kubeconfig; the
 * cluster directory is read on the host for the ports and paths the attempts aim at.
 * Exits 1 when an attempt succeeded, 2 when the run itself failed.
 */
import { join } from 'node:path';
import { allAttempts, PATHS, Probe, type Attempt, type ProbeStats, type Raw } from '../test/breakout/attempts';
import { BreakoutRig, errorText } from '../test/breakout/rig';
import { runHeader, writeBenchBlock } from './bench-report';

const ROOT = join(import.meta.dirname, '..');
const CLUSTER_DIR = process.env['LABFORGE_CLUSTER_DIR'] ?? join(ROOT, '.labforge/cluster');
const KUBECONFIG = process.env['KUBECONFIG'] ?? join(CLUSTER_DIR, 'kubeconfig');
const ONLY = (process.env['BREAKOUT_ONLY'] ?? '').split(',').filter(Boolean);
const DOCS = process.env['BREAKOUT_DOCS'] ?? join(ROOT, 'docs', 'security.md');

interface Row {
  attempt: Attempt;
  verdict: 'succeeded' | 'refused' | 'error';
  got: string;
  ms: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

async function main(): Promise<number> {
  let attempts = allAttempts();
  const ids = new Set(attempts.map((a) => a.id));
  if (ids.size !== attempts.length) throw new Error('two attempts share an id');
  const unknown = ONLY.filter((id) => !ids.has(id));
  if (unknown.length) throw new Error(`no such attempt: ${unknown.join(', ')}`);
  if (ONLY.length) attempts = attempts.filter((a) => ONLY.includes(a.id));

  const rig = new BreakoutRig(KUBECONFIG, CLUSTER_DIR, (l) => process.stdout.write(`${l}\n`));
  const rows: Row[] = [];
  const started = Date.now();
  let baseline: ProbeStats | undefined;
  try {
    await rig.setup();
    process.stdout.write(`class ${rig.className}: attacker ${rig.attacker.namespace}, victim ${rig.victim.namespace}; gateway on 127.0.0.1:${rig.gatewayPort}\n`);
    for (const attempt of attempts) {
      if (attempt.exhaustion && !baseline) {
        // The same probe with no attack running, so a slow probe during an attack can be told
        // apart from a machine that is slow anyway (this one is shared with a benchmark). The
        // verdicts do not use it: an exhaustion attempt is judged on the 1 s bound alone.
        const probe = new Probe(rig);
        probe.start();
        await new Promise((r) => setTimeout(r, 12_000));
        baseline = await probe.stop();
        process.stdout.write(`baseline: the other student's probe with no attack: ${baseline.probes - baseline.failed}/${baseline.probes} passed, exec p95 ${baseline.p95Ms} ms, max ${baseline.maxMs} ms\n`);
      }
      const t0 = Date.now();
      let raw: Raw;
      let verdict: Row['verdict'];
      try {
        raw = await attempt.run(rig);
        verdict = attempt.verdict(raw);
      } catch (err) {
        // An attempt that could not be made is neither refused nor succeeded: it is counted apart, so it cannot pass for a defence.
        raw = { got: `attempt failed to run: ${errorText(err)}`, output: '' };
        verdict = 'error';
      }
      const row = { attempt, verdict, got: raw.got, ms: Date.now() - t0 };
      rows.push(row);
      process.stdout.write(`${verdict === 'succeeded' ? 'SUCCEEDED' : verdict === 'error' ? 'ERROR    ' : 'refused  '} ${attempt.path.padEnd(10)} ${attempt.id.padEnd(26)} ${(row.ms / 1000).toFixed(1).padStart(5)}s  ${raw.got.slice(0, 220)}\n`);
    }
  } finally {
    await rig.close().catch((err: unknown) => process.stderr.write(`cleanup: ${errorText(err)}\n`));
  }

  const succeeded = rows.filter((r) => r.verdict === 'succeeded');
  const errors = rows.filter((r) => r.verdict === 'error');
  const byPath = PATHS.map((p) => `${p} ${rows.filter((r) => r.attempt.path === p).length}`).join(', ');
  const summary = `breakout: ${rows.length} attempts, ${succeeded.length} succeeded${errors.length ? `, ${errors.length} could not run` : ''}`;
  process.stdout.write(`\nby path: ${byPath}; took ${Math.round((Date.now() - started) / 1000)} s\n${summary}\n`);

  if (!ONLY.length) {
    const table = [
      '| # | Attempt | Path | What it tries | Verdict | What it got back |',
      '|--:|---------|------|---------------|---------|------------------|',
      ...rows.map((r, i) => `| ${i + 1} | \`${r.attempt.id}\` | ${r.attempt.path} | ${cell(r.attempt.what)} | ${r.verdict === 'succeeded' ? '**succeeded**' : r.verdict} | ${cell(r.got)} |`),
    ].join('\n');
    const base = baseline ? ` The other student's probe with no attack running (12 s, just before the exhaustion attempts): ${baseline.probes - baseline.failed}/${baseline.probes} passed, exec p95 ${baseline.p95Ms} ms, max ${baseline.maxMs} ms.` : '';
    writeBenchBlock('## Breakout', 'breakout', `${runHeader('npm run breakout')} Attempts by path: ${byPath}.${base}\n\n${table}\n\n\`${summary}\``, DOCS);
    process.stdout.write(`table written to ${DOCS}\n`);
  }
  return succeeded.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`breakout: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
