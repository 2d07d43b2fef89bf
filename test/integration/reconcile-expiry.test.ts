// Class expiry on the real control plane: a class whose end date passes is torn down by the
// watching reconciler — volumes kept (namespaces left holding only their claims, listed) or
// deleted, by option — and no credential outlives the class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { watchReconcile } from '../../main/engine/reconcile';
import { formatHealth } from '../../main/cli/tables';
import { classHealth } from '../../main/engine/reconcile-status';
import { deleteClassSettings, readClassSettings } from '../../main/engine/reconcile-settings';
import { setExpiry, type ExpireResult } from '../../main/engine/expiry';
import { listOwned } from '../../main/kube/owned';
import { NAMESPACED_KINDS } from '../../main/engine/owned';
import type { Release } from '../../main/engine/releases';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM } from '../../main/kube/kinds';
import { classSelector } from '../../main/engine/publish';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const keepClass = `exk-${randomId(3)}`;
const dropClass = `exd-${randomId(3)}`;
const laterClass = `exl-${randomId(3)}`;
const students = numberedStudents(2);
let client: HttpCluster;
let release: Release;

beforeAll(async () => {
  client = adminCluster();
  release = await makeRelease(client, uniqueLab(exampleLab('web-db.yaml'), 'rx'), 'v1');
}, 240_000);

afterAll(async () => {
  for (const c of [keepClass, dropClass, laterClass]) {
    await teardown(client, c).catch(() => undefined);
    await deleteClassSettings(client, c).catch(() => undefined);
  }
  client.close();
});

/** Publishes a class ending `seconds` from now, and watches it until the reconciler ends it. */
async function publishAndWatchToEnd(className: string, seconds: number, volumes: 'keep' | 'delete', setLater = false): Promise<{ result: ExpireResult; reports: number }> {
  const expiresAt = () => new Date(Date.now() + seconds * 1000).toISOString();
  const r = await publish(client, { className, students, release, ...(setLater ? {} : { expiresAt: expiresAt(), volumes }) });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  // The end date set after publishing (labforge expire), as a term gets its date late.
  if (setLater) await setExpiry(client, className, { expiresAt: expiresAt(), volumes });
  let reports = 0;
  let ended: ExpireResult | undefined;
  const errors: string[] = [];
  const w = await watchReconcile(client, className, { repair: true, tickMs: 1000, settleMs: 200, onReport: () => reports++, onExpired: (x) => (ended = x), onError: (e) => errors.push(e.message) });
  expect(errors).toEqual([]);
  // Before the end date the class is watched and reported, not torn down.
  expect(ended).toBeUndefined();
  expect(reports).toBeGreaterThan(0);
  // Within the warning period (a week by default) status warns.
  const health = await classHealth(client, className);
  expect(health.expiry.state).toBe('warning');
  expect(formatHealth(className, health)).toMatch(new RegExp(`WARNING: class ${className} ends at .*, in \\d+m`));
  await Promise.race([w.done, new Promise((_, fail) => setTimeout(() => fail(new Error('the class was not torn down within 60s of its end date')), (seconds + 60) * 1000))]);
  w.stop();
  expect(ended).toBeDefined();
  return { result: ended!, reports };
}

describe('class expiry', () => {
  it('at the end date, reconcile --watch tears the class down and lists the volumes it kept', async () => {
    const { result } = await publishAndWatchToEnd(keepClass, 45, 'keep');
    expect(result.volumes).toBe('keep');
    expect(result.keptVolumes).toEqual(students.map((s) => ({ student: s.id, namespace: studentNamespace(keepClass, s.id), volume: 'pgdata' })));
    for (const s of students) {
      const ns = studentNamespace(keepClass, s.id);
      // Nothing of the lab is left but its claim: no workloads, services, policies or student account.
      const left = await listOwned(client, ns, classSelector(keepClass), NAMESPACED_KINDS);
      expect(left.map((o) => `${o.kind}/${o.metadata.name}`), ns).toEqual(['PersistentVolumeClaim/pgdata']);
      expect((await client.list(PERSISTENT_VOLUME_CLAIM, { namespace: ns })).items.map((p) => p.metadata?.name)).toEqual(['pgdata']);
    }
    const settings = await readClassSettings(client, keepClass);
    expect(settings?.expired?.keptVolumes).toHaveLength(2);
    const text = formatHealth(keepClass, await classHealth(client, keepClass));
    expect(text).toContain(`class ${keepClass} ended at`);
    expect(text).toContain(`${students[0]!.id}: ${studentNamespace(keepClass, students[0]!.id)}/pgdata`);
    expect(text).toMatch(/to get them back, publish again with a later end date/);
    await expect(studentCredentials(client, keepClass, students[0]!.id)).rejects.toThrow(/ended at .* no credentials/);
  });

  it('with volumes deleted (the end date set after publishing), the namespaces go entirely', async () => {
    const { result } = await publishAndWatchToEnd(dropClass, 10, 'delete', true);
    expect(result.keptVolumes).toEqual([]);
    expect(result.teardown?.stuck).toEqual([]);
    for (const s of students) expect(await client.read(NAMESPACE, studentNamespace(dropClass, s.id))).toBeUndefined();
  });

  it('credentials never outlive the class: tokens end at the end date at the latest', async () => {
    const end = Date.now() + 2 * 3600 * 1000;
    await publish(client, { className: laterClass, students: students.slice(0, 1), release, expiresAt: new Date(end).toISOString() });
    const creds = await studentCredentials(client, laterClass, students[0]!.id, 86_400);
    expect(Date.parse(creds.expiresAt)).toBeLessThanOrEqual(end + 1000);
    expect(Date.parse(creds.expiresAt)).toBeGreaterThan(end - 120_000);
    const h = await classHealth(client, laterClass);
    expect(h.expiry).toMatchObject({ state: 'warning', expiresAt: new Date(end).toISOString() });
  });
});
