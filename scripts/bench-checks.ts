/**
 * `npm run bench:checks`: what a check's output costs the process that runs it. A check that
 * prints BENCH_SIZE bytes (50 MB by default) runs through the checks' runner (bounded tail,
 * main/engine/checks-output.ts) on the local control plane, against two baselines measured in
 * the same run: the same exec with a collector that keeps every chunk (what an uncapped runner
 * holds), and a check that prints 1 KB. Not a test; nothing here asserts a figure.
 *
 * Memory is the peak of live heap + buffers over the figure before the run, sampled every 100 ms
 * right after a full collection (so garbage not yet collected does not count).
 *
 * Ends with: `checks: 50 MB check X MB live peak = R of holding the output (Y MB); 1 KB check Z MB; T MB/s`.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { clusterUp } from '../main/cluster';
import { runCheck } from '../main/engine/checks';
import { checkCommand, newMarker, readTrailer } from '../main/engine/checks-output';
import { execStreaming, streamingExec } from '../main/streams/exec-stream';
import type { IPod } from '../main/kube/kinds';
import { benchLog, writeBenchOutput } from './bench-report';

const bytes = Number(process.env['BENCH_SIZE'] ?? 50 * 1024 * 1024);
const MB = 1024 * 1024;
const SAMPLE_MS = 100;
const bench = benchLog();
const log = bench.log;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * `sample: false` samples only when `fn` calls `mark()`: a collection every few milliseconds over a heap
 * holding 50 MB slows the reader enough for the API server to cut the stream short (see
 * docs/benchmarks.md), and what a holding collector holds peaks at its end anyway.
 */
async function livePeak<T>(fn: (mark: () => void) => Promise<T>, sample = true): Promise<{ value: T; peak: number; ms: number }> {
  const live = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = live();
  let peak = base;
  const mark = () => void (peak = Math.max(peak, live()));
  const timer = sample ? setInterval(mark, SAMPLE_MS) : undefined;
  const t0 = performance.now();
  try {
    const value = await fn(mark);
    const ms = performance.now() - t0;
    peak = Math.max(peak, live());
    return { value, peak: peak - base, ms };
  } finally {
    if (timer) clearInterval(timer);
  }
}

async function main() {
  const up = await clusterUp({});
  const kc = new KubeConfig();
  kc.loadFromFile(up.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `bench-checks-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  try {
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'box', labels: { 'labforge.dev/node': 'box' } }, spec: { containers: [{ name: 'box', image: 'busybox:1.36' }] } } });
    const target = { namespace, pod: 'box', container: 'box' };
    // The exec sandbox controller gives the pod its Exec rule a moment after it runs.
    for (let ready = false, deadline = Date.now() + 60_000; !ready; ) {
      let out = '';
      await execStreaming(kc, target, ['sh', '-c', 'echo ready'], (c) => (out += c.toString())).catch(() => undefined);
      ready = out.includes('ready');
      if (!ready && Date.now() > deadline) throw new Error('the bench pod never took an exec');
      if (!ready) await new Promise((r) => setTimeout(r, 300));
    }
    const pod = (await core.readNamespacedPod({ name: 'box', namespace })) as unknown as IPod;
    const loud = `head -c ${bytes} /dev/zero | tr "\\0" x`;
    const exec = streamingExec(kc);

    const small = await livePeak(() => runCheck(exec, namespace, [pod], { id: 'small', title: 'small', node: 'box', script: 'head -c 1024 /dev/zero | tr "\\0" x', timeout: 60 }));
    const capped = await livePeak(() => runCheck(exec, namespace, [pod], { id: 'loud', title: 'loud', node: 'box', script: loud, timeout: 120 }));
    // Speed without the sampler's collections in the way.
    const timed = await livePeak(async (mark) => {
      const run = await runCheck(exec, namespace, [pod], { id: 'loud', title: 'loud', node: 'box', script: loud, timeout: 120 });
      mark();
      return run;
    }, false);
    const held = await livePeak(async (mark) => {
      const chunks: Buffer[] = [];
      const marker = newMarker(() => 'bench');
      await execStreaming(kc, target, checkCommand(marker, 120, loud), (c) => chunks.push(c));
      mark();
      const all = Buffer.concat(chunks);
      return { bytes: all.length, trailer: readTrailer(all.subarray(all.length - 200).toString(), marker) };
    }, false);
    if (capped.value.status !== 'pass' || timed.value.status !== 'pass') throw new Error(`the loud check did not pass: ${JSON.stringify(capped.value)}`);
    if (held.value.bytes < bytes || !held.value.trailer) throw new Error(`the holding collector got ${held.value.bytes} of ${bytes} bytes (trailer: ${JSON.stringify(held.value.trailer)})`);

    const mb = (n: number) => (n / MB).toFixed(2);
    log(`1 KB check: ${mb(small.peak)} MB live peak, ${small.ms.toFixed(0)} ms`);
    log(`${mb(bytes)} MB check, bounded tail: ${mb(capped.peak)} MB live peak (sampled every ${SAMPLE_MS} ms, which slows it: ${capped.ms.toFixed(0)} ms)`);
    log(`${mb(bytes)} MB check, bounded tail, unsampled: ${timed.ms.toFixed(0)} ms (${(bytes / MB / (timed.ms / 1000)).toFixed(1)} MB/s), ${mb(timed.peak)} MB live at its end`);
    log(`${mb(bytes)} MB check, every chunk held: ${mb(held.peak)} MB live peak, ${held.ms.toFixed(0)} ms`);
    log(`checks: ${mb(bytes)} MB check ${mb(capped.peak)} MB live peak = ${(capped.peak / held.peak).toFixed(3)} of holding the output (${mb(held.peak)} MB); 1 KB check ${mb(small.peak)} MB; ${(bytes / MB / (timed.ms / 1000)).toFixed(1)} MB/s`);
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  writeBenchOutput('## Check output', 'bench:checks', `BENCH_SIZE=${bytes} npm run bench:checks`, bench.lines);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
