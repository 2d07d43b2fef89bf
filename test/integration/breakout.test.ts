// The CI-sized part of `npm run breakout` (issue 27): a subset of the attempts, across all five
// student paths (exec, the app's terminal, an SSH gateway login, a lab check, the student's
// kubeconfig) and the exhaustion attempts that once succeeded, with the other student's probe
// running, against a class of two students on the real node. Each attempt must be refused — and must have run: an attempt whose
// script did not reach its end is an error, never a pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAttempts, CI_SUBSET, PATHS } from '../breakout/attempts';
import { BreakoutRig } from '../breakout/rig';
import { testClusterDir, testKubeconfigPath } from './helpers/kube';

const attempts = allAttempts().filter((a) => CI_SUBSET.includes(a.id));
let rig: BreakoutRig;

beforeAll(async () => {
  rig = new BreakoutRig(testKubeconfigPath(), testClusterDir());
  await rig.setup();
}, 400_000);

afterAll(async () => {
  await rig?.close();
});

describe('a student breaks out of nothing', () => {
  it('the subset covers every path and an exhaustion attempt', () => {
    expect(attempts.map((a) => a.id).sort()).toEqual([...CI_SUBSET].sort());
    expect(new Set(attempts.map((a) => a.path))).toEqual(new Set(PATHS));
    expect(attempts.some((a) => a.exhaustion)).toBe(true);
  });

  for (const attempt of attempts) {
    it(`${attempt.path}: ${attempt.id} — ${attempt.what}`, async () => {
      const raw = await attempt.run(rig);
      process.stderr.write(`[breakout] ${attempt.id}: ${raw.got}\n`);
      expect(attempt.verdict(raw), raw.got).toBe('refused');
      if (attempt.exhaustion) {
        // The other student's check every 2 s kept passing. Its exec round trip (goal: p95 under
        // 1 s) is a speed figure: `npm run breakout` reports it beside a baseline measured in the
        // same run; here, on a machine shared with the rest of the suite, it is only printed.
        expect(raw.probe?.probes, raw.got).toBeGreaterThan(3);
        expect(raw.probe?.failed, raw.got).toBe(0);
        process.stderr.write(`[breakout] ${attempt.id}: the other student's exec p95 ${raw.probe?.p95Ms ?? '?'} ms\n`);
      }
    });
  }
});
