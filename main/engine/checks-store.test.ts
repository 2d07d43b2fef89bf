import { describe, expect, it } from 'vitest';
import { memoryCluster } from '../../test/helpers/memory-cluster';
import { CONFIG_MAP } from '../kube/kinds';
import { encodeResults, RESULTS_CONFIGMAP, type CheckRun } from './checks-results';
import { readClassResults, readResults, recordRuns } from './checks-store';

const run = (status: CheckRun['status']): CheckRun => ({ check: 'file-made', status, exitCode: status === 'pass' ? 0 : 1, output: '', durationMs: 10, at: '2026-11-30T10:00:00Z' });

describe('check results store', () => {
  it('ignores a record Labforge did not sign (made by anyone who may write ConfigMaps there) and overwrites it on the next run', async () => {
    const c = memoryCluster();
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cls-s1' } });
    // What a student could create before any check ran, when students could still create ConfigMaps: the right name and labels, all passes.
    const forged = encodeResults('cls-s1', { class: 'cls', student: 's1' }, { checks: { 'file-made': { status: 'pass', firstPassAt: '2026-01-01T00:00:00Z', attempts: 1, output: '', lastRunAt: '2026-01-01T00:00:00Z' } as never }, achievements: { all: '2026-01-01T00:00:00Z' }, updatedAt: '2026-01-01T00:00:00Z' });
    await c.create(forged);
    expect((await readResults(c, 'cls-s1')).checks).toEqual({});
    expect((await readClassResults(c, 'cls')).size).toBe(0);

    const written = await recordRuns(c, { namespace: 'cls-s1', class: 'cls', studentKey: 's1' }, [run('fail')], []);
    expect(written.checks['file-made']!.attempts).toBe(1);
    expect(written.achievements).toEqual({});
    expect((await readResults(c, 'cls-s1')).checks['file-made']!.attempts).toBe(1);

    // Editing the signed record by hand breaks the signature too.
    const cm = (await c.read(CONFIG_MAP, RESULTS_CONFIGMAP, 'cls-s1'))!;
    await c.apply({ ...cm, data: { ...cm.data, 'results.json': cm.data!['results.json']!.replace('"fail"', '"pass"') } } as never);
    expect((await readResults(c, 'cls-s1')).checks).toEqual({});
  });

  it('reads a class\'s results from the record Labforge wrote, by name: a signed copy with the same labels does not stand in for it', async () => {
    const c = memoryCluster();
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cls-s1' } });
    const ref = { namespace: 'cls-s1', class: 'cls', studentKey: 's1' };
    await recordRuns(c, ref, [{ ...run('pass'), at: '2026-11-30T10:00:00Z' }], []);
    // The student's copy of the record while it said "pass", under a name listed after it.
    const real = (await c.read(CONFIG_MAP, RESULTS_CONFIGMAP, 'cls-s1'))!;
    await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zz-labforge-checks-copy', namespace: 'cls-s1', labels: real.metadata!.labels! }, data: real.data! } as never);
    await recordRuns(c, ref, [{ ...run('fail'), at: '2026-11-30T11:00:00Z' }], []);
    const all = await readClassResults(c, 'cls');
    expect(all.size).toBe(1);
    expect(all.get('cls-s1')!.checks['file-made']).toMatchObject({ status: 'fail', attempts: 2 });
  });
});
