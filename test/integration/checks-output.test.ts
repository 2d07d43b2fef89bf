// A check that prints 50 MB on the real control plane: the runner reads it all (the byte count
// says so), keeps a bounded tail, and the process's memory does not grow with the output.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { checkCommand, newMarker, OutputTail, readTrailer, TAIL_BYTES } from '../../main/engine/checks-output';
import { runCheck } from '../../main/engine/checks';
import { readResults, recordRuns } from '../../main/engine/checks-store';
import { POD } from '../../main/kube/kinds';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { execStreaming, streamingExec } from '../../main/streams/exec-stream';
import { FORGED_TRAILER_SCRIPT, FORGING_LINE } from '../helpers/forged-trailer';
import { adminCluster } from './helpers/engine';
import { createPod, createTestNamespace, loadTestKubeConfig, waitFor, type TestNamespace } from './helpers/kube';

const MB = 1024 * 1024;
let kc: KubeConfig;
let cluster: HttpCluster;
let ns: TestNamespace;

beforeAll(async () => {
  kc = loadTestKubeConfig();
  cluster = adminCluster();
  ns = await createTestNamespace(kc, 'chk-out', 'real');
  await createPod(kc, ns.name, 'box');
  // Running is reported a moment before the container takes an exec.
  await waitFor('exec into the pod', async () => {
    let out = '';
    await execStreaming(kc, { namespace: ns.name, pod: 'box', container: 'main' }, ['sh', '-c', 'echo ready'], (c) => (out += c.toString()));
    return out.includes('ready');
  }, 60_000, 500);
});
afterAll(async () => {
  cluster?.close();
  await ns?.cleanup();
});

/**
 * A full garbage collection on demand: V8's flag set at run time, and the function it installs
 * taken from a fresh context (the flag only affects contexts created after it).
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Peak growth of live memory (heap + buffers, measured right after a full collection) over a
 * baseline while `fn` runs, sampled every 25 ms. Collecting first measures what is held, not
 * garbage the collector has not got to yet.
 */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const gc = collector();
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 25);
  try {
    const value = await fn();
    peak = Math.max(peak, used());
    return { value, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

/** The test pod as runCheck finds a node's: it is a bare one (no lab node label), so it gets one here. */
async function nodePod() {
  const pods = (await cluster.list(POD, { namespace: ns.name })).items;
  return { ...pods[0]!, metadata: { ...pods[0]!.metadata, labels: { 'labforge.dev/node': 'main' } } };
}

describe('check output', () => {
  it('a check printing 50 MB is read through with bounded memory', async () => {
    const pod = await nodePod();
    const script = 'head -c 52428800 /dev/zero | tr "\\0" x; echo; echo "FAIL: printed 50 MB"; exit 4';
    const { value: run, growth } = await peakGrowth(() => runCheck(streamingExec(kc), ns.name, [pod], { id: 'loud', title: 'Loud', node: 'main', script, timeout: 60 }));
    expect(run).toMatchObject({ status: 'fail', exitCode: 4, failLine: 'FAIL: printed 50 MB' });
    expect(run.output.length).toBeLessThanOrEqual(TAIL_BYTES);
    expect(run.output.endsWith('x\nFAIL: printed 50 MB\n')).toBe(true);
    console.log(`50 MB check: ${(growth / MB).toFixed(2)} MB peak live heap+buffer growth, ${run.durationMs} ms`);
    // Holding the output would take 50 MB (100 MB as a JS string); the tail is 8 KiB, and what is
    // live besides is the WebSocket frames in flight.
    expect(growth).toBeLessThan(8 * MB);
  });

  it('every byte arrives: the tail counts 50 MB and the trailer is found after it', async () => {
    const marker = newMarker(() => 'feedc0ffee');
    const tail = new OutputTail();
    await execStreaming(kc, { namespace: ns.name, pod: 'box', container: 'main' }, checkCommand(marker, 60, 'head -c 52428800 /dev/zero'), (c) => tail.push(c));
    expect(tail.bytes).toBe(50 * MB + `\n${marker} 0\n`.length);
    expect(readTrailer(tail.text(), marker)?.code).toBe(0);
  });

  it("the verdict is the exec's own status: a trailer forged from the wrapper's arguments, with the wrapper killed, fails", async () => {
    const pod = await nodePod();
    const check = (id: string, script: string) => runCheck(streamingExec(kc), ns.name, [pod], { id, title: id, node: 'main', script, timeout: 20 });
    // What the runtime reports: exit 0 passes, anything else fails.
    await expect(check('ok', 'echo fine')).resolves.toMatchObject({ status: 'pass', exitCode: 0 });
    await expect(check('no', 'echo "FAIL: no"; exit 3')).resolves.toMatchObject({ status: 'fail', exitCode: 3, failLine: 'FAIL: no' });
    // The forgery (test/helpers/forged-trailer.ts).
    const forged = await check('forged', FORGED_TRAILER_SCRIPT);
    expect(forged.output).toMatch(FORGING_LINE);
    expect(forged.status).toBe('fail');
  });

  it('instructors recording at the same moment all count: a lost race reads again and merges', async () => {
    const runs = Array.from({ length: 6 }, (_, i) => ({ check: 'c', status: 'fail' as const, exitCode: 1, at: `2026-01-01T00:00:0${i}.000Z`, durationMs: 1, output: `run ${i}` }));
    await Promise.all(runs.map((r) => recordRuns(cluster, { namespace: ns.name }, [r], [])));
    const stored = await readResults(cluster, ns.name);
    expect(stored.checks['c']).toMatchObject({ attempts: 6, lastRunAt: '2026-01-01T00:00:05.000Z', output: 'run 5' });
  });
});
