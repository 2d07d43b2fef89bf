// Snapshots pin images to the digests the dev pods report and refuse an unhealthy dev; a
// published class can be watched live with one watch for the whole class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL, studentNamespace } from '../../common/compile';
import { labelSelector } from '../../common/compile/labels';
import { teardown, watchClass, type StudentRow } from '../../main/engine/class-ops';
import { deploy } from '../../main/engine/deploy';
import { publish } from '../../main/engine/publish';
import { getRelease, snapshot } from '../../main/engine/releases';
import type { Lab } from '../../common/lab';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { CONFIG_MAP, POD } from '../../main/kube/kinds';
import { adminCluster, exampleLab, uniqueLab } from './helpers/engine';
import { randomId, waitFor } from './helpers/kube';

const DIGEST = `sha256:${'5e'.repeat(32)}`;
let client: HttpCluster;
let lab: Lab;
const className = `snap-${randomId(3)}`;

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('routing-lab.yaml'), 'sn');
  const r = await deploy(client, lab, { timeoutMs: 120_000 });
  expect(r.ready).toBe(true);
});

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe('snapshot', () => {
  it('pins images to the digests the dev pods report', async () => {
    const ns = `${lab.metadata.name}-dev`;
    const [pod] = (await client.list(POD, { namespace: ns, labelSelector: labelSelector({ [LABEL.node]: 'router' }) })).items;
    // What a kubelet reports once it has pulled the image (kwok reports no digests itself).
    await client.patch(POD, pod!.metadata!.name!, ns, [{ op: 'replace', path: '/status/containerStatuses/0/imageID', value: `docker.io/library/alpine@${DIGEST}` }], 'status');
    const release = await snapshot(client, 'v1', { labName: lab.metadata.name, author: 'test-author' });
    expect(release.images.find((i) => i.node === 'router')).toEqual({ node: 'router', image: 'alpine:3.20', pinned: `alpine:3.20@${DIGEST}` });
    expect(release.images.find((i) => i.node === 'client-a')).toEqual({ node: 'client-a', image: 'alpine:3.20' });
    const stored = await getRelease(client, lab.metadata.name, 'v1');
    expect(stored.lab.nodes.find((n) => n.name === 'router')?.image).toBe(`alpine:3.20@${DIGEST}`);
    expect(stored.author).toBe('test-author');
    expect(stored.template).toContain(`image: alpine:3.20@${DIGEST}`);
    // The stored release cannot be edited: the ConfigMap is immutable.
    await expect(
      client.patch(CONFIG_MAP, `release-${lab.metadata.name}-v1`, 'labforge-system', [{ op: 'replace', path: '/data/lab.yaml', value: 'x' }]),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('refuses an unhealthy dev unless forced', async () => {
    const broken = structuredClone(lab);
    broken.nodes[1]!.resources = { requests: { cpu: '500' }, limits: { cpu: '500' } };
    const r = await deploy(client, broken, { timeoutMs: 3000 });
    expect(r.ready).toBe(false);
    await expect(snapshot(client, 'v2', { fileLab: broken })).rejects.toThrow(/dev is not healthy \(client-a: 0\/\d+ nodes are available/);
    const forced = await snapshot(client, 'v2', { fileLab: broken, force: true });
    expect(forced.tag).toBe('v2');
    // Put dev back the way it was.
    expect((await deploy(client, lab, { timeoutMs: 60_000 })).ready).toBe(true);
  });
});

describe('status --watch', () => {
  it('keeps one class-wide table live as nodes come up', async () => {
    const release = await getRelease(client, lab.metadata.name, 'v1');
    const seen: StudentRow[][] = [];
    const stop = await watchClass(client, className, (rows) => seen.push(rows));
    try {
      expect(seen[0]).toEqual([]);
      await publish(client, { className, students: [{ id: 'ann' }, { id: 'ben' }], release });
      const final = await waitFor('both students fully ready', async () => {
        const last = seen[seen.length - 1] ?? [];
        return last.length === 2 && last.every((r) => r.ready === 4 && r.total === 4) ? last : undefined;
      }, 90_000, 200);
      expect(final.map((r) => r.namespace)).toEqual([studentNamespace(className, 'ann'), studentNamespace(className, 'ben')]);
      // Updates arrived as events: intermediate tables were seen between empty and ready.
      expect(seen.length).toBeGreaterThan(2);
    } finally {
      stop();
    }
  });
});
