// A zone whose kubeconfig cannot be read (a FIFO, a device) on the real control plane: publish
// refuses it before the class's zones record is stored, and a record stored by an older
// version with such a zone no longer hangs status and teardown: they report the zone at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Zone } from '../../main/class/zones';
import type { Release } from '../../main/engine/releases';
import { deleteZonesRecord, publishZoned, readZonesRecord, writeZonesRecord, zonedStatus, zonedTeardown, type ZoneConnector } from '../../main/engine/zones';
import { connect } from '../../main/kube/http-cluster';
import { lateFifo } from '../helpers/late-fifo';
import { adminCluster } from './helpers/engine';
import { randomId } from './helpers/kube';

const home = adminCluster();
const dir = mkdtempSync(join(tmpdir(), 'labforge-zone-kc-'));
const CLASS = `zk${randomId(3)}`;
const connectZone: ZoneConnector = (zone) => connect({ kubeconfig: zone.kubeconfig!, kubeconfigFrom: `zone "${zone.name}" kubeconfig` });

afterAll(async () => {
  await deleteZonesRecord(home, CLASS).catch(() => undefined);
  home.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a zone whose kubeconfig cannot be read (issue 32, item 8)', () => {
  it.each([
    ['a FIFO', () => lateFifo(dir, `kc-${randomId(2)}`), /cannot load zone "far" kubeconfig .*: is a named pipe \(FIFO\), not a kubeconfig/],
    ['/dev/zero', () => '/dev/zero', /cannot load zone "far" kubeconfig \/dev\/zero: is a device, not a kubeconfig/],
  ])('is refused by publish before the zones record is stored: %s', async (_what, path, message) => {
    const zones: Zone[] = [{ name: 'far', kubeconfig: path(), capacity: 5 }];
    const started = Date.now();
    // The release is never reached: the zone is opened before anything is written.
    await expect(publishZoned(home, connectZone, { className: CLASS, students: [{ id: 's1' }], release: {} as Release, zones })).rejects.toThrow(message);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readZonesRecord(home, CLASS)).toBeUndefined();
  });

  it('recorded by an older version, is reported by status and teardown at once instead of hanging them', async () => {
    const record = { zones: [{ name: 'far', kubeconfig: lateFifo(dir, `kc-${randomId(2)}`) }], assignment: { s1: 'far' } };
    await writeZonesRecord(home, CLASS, record);
    let started = Date.now();
    const status = await zonedStatus(record, connectZone, CLASS);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(status.unreachable).toEqual([{ zone: 'far', error: expect.stringMatching(/is a named pipe \(FIFO\), not a kubeconfig/) }]);
    started = Date.now();
    const down = await zonedTeardown(home, record, connectZone, CLASS);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.unreachable).toHaveLength(1);
    // The record stays until every zone is clear: the instructor fixes the kubeconfig and runs teardown again.
    expect(await readZonesRecord(home, CLASS)).toEqual(record);
  });
});
