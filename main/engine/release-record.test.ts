import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { serializeLab } from '../../common/lab';
import { exampleLab } from '../../test/helpers/examples';
import { memoryCluster } from '../../test/helpers/memory-cluster';
import { deploy } from './deploy';
import { decodeRelease, decodeReleaseSummary, encodeRelease, migrateRecord, RELEASE_RECORD_V1, type Release } from './release-record';
import { getRelease, listReleases, snapshot } from './releases';

const lab = exampleLab('web-db.yaml');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const release: Release = {
  lab,
  labName: 'web-db',
  tag: 'v1',
  createdAt: '2026-03-01T10:00:00.000Z',
  author: 'ann (admin)',
  note: 'first cut: web and db',
  images: [
    { node: 'web', image: 'nginx:1.27', pinned: `nginx:1.27@${DIGEST}` },
    { node: 'db', image: 'postgres:16' },
  ],
  template: 'kind: Namespace\n',
};

/** A record exactly as Labforge wrote them before records had a version. */
function v0Record(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'release-web-db-v0',
      namespace: 'labforge-system',
      labels: { 'app.kubernetes.io/managed-by': 'labforge', 'labforge.dev/lab': 'web-db', 'labforge.dev/release': 'v0', 'app.kubernetes.io/component': 'release' },
      annotations: { 'labforge.dev/created-at': '2025-12-24T08:00:00.000Z', 'labforge.dev/author': 'bob' },
    },
    immutable: true,
    data: { 'lab.yaml': serializeLab(lab), 'template.yaml': 'x: 1\n', 'images.json': JSON.stringify([{ node: 'web', image: 'nginx:1.27' }], null, 2) },
  };
}

type Data = Record<string, string>;
const withData = (o: KubeObject, change: (d: Data) => void): KubeObject => {
  const copy = structuredClone(o);
  change(copy['data'] as Data);
  return copy;
};

describe('release records', () => {
  it('round-trip in the current version', () => {
    const cm = encodeRelease(release);
    expect((cm['data'] as Data)['recordVersion']).toBe(RELEASE_RECORD_V1);
    expect(decodeRelease(structuredClone(cm))).toEqual(release);
  });

  it('list as summaries without parsing the lab; a full read parses and checks it', () => {
    const { lab: _lab, template: _template, ...summary } = release;
    const cm = encodeRelease(release);
    expect(decodeReleaseSummary(structuredClone(cm))).toEqual(summary);
    const badLab = structuredClone(cm);
    (badLab['data'] as Data)['lab.yaml'] = 'nodes: [';
    expect(decodeReleaseSummary(badLab)).toEqual(summary);
    expect(() => decodeRelease(badLab)).toThrow(/data\["lab.yaml"\] holds an invalid lab/);
    // The rest of the record is checked as for a full read.
    const noImages = structuredClone(cm);
    delete (noImages['data'] as Data)['images.json'];
    expect(() => decodeReleaseSummary(noImages)).toThrow(/release web-db@v1 .* cannot be read/);
  });

  it('decode records without a version through the migration', () => {
    const cm = v0Record();
    const { doc, applied } = migrateRecord({
      metadata: { name: cm.metadata.name, labels: cm.metadata.labels!, annotations: cm.metadata.annotations! },
      data: cm['data'] as Data,
    });
    expect(applied).toEqual(['labforge.dev/release-v0 → labforge.dev/release-v1']);
    expect(doc.data).toMatchObject({ recordVersion: RELEASE_RECORD_V1, createdAt: '2025-12-24T08:00:00.000Z', author: 'bob' });
    expect(decodeRelease(cm)).toMatchObject({ labName: 'web-db', tag: 'v0', createdAt: '2025-12-24T08:00:00.000Z', author: 'bob', images: [{ node: 'web', image: 'nginx:1.27' }] });
  });

  it('refuse damaged records, naming the release and the field', () => {
    const where = 'release web-db@v1 (ConfigMap labforge-system/release-web-db-v1) cannot be read';
    const cm = encodeRelease(release);
    const noAuthor = v0Record();
    delete noAuthor.metadata.annotations!['labforge.dev/author'];
    const cases: [KubeObject, string][] = [
      [withData(cm, (d) => (d['images.json'] = '[{')), `${where}: data["images.json"] is not JSON`],
      [withData(cm, (d) => (d['images.json'] = '[{"node":"web"}]')), `${where}: data["images.json"][0].image is missing`],
      [withData(cm, (d) => (d['createdAt'] = 'yesterday')), `${where}: data.createdAt must be an ISO 8601 date and time`],
      [withData(cm, (d) => delete d['author']), `${where}: data.author is missing`],
      [withData(cm, (d) => (d['extra'] = '1')), `${where}: data has unknown keys: extra`],
      [withData(cm, (d) => (d['lab.yaml'] = 'apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: { name: x }\nnodes: 3\n')), `${where}: data["lab.yaml"] holds an invalid lab: lab.yaml:4:`],
      [withData(cm, (d) => (d['recordVersion'] = 'labforge.dev/release-v9')), `${where}: data.recordVersion is "labforge.dev/release-v9", which this Labforge cannot read`],
      [{ ...cm, metadata: { ...cm.metadata, labels: { ...cm.metadata.labels, 'app.kubernetes.io/component': 'other' } } }, `${where}: metadata.labels["app.kubernetes.io/component"]`],
      [noAuthor, 'release web-db@v0 (ConfigMap labforge-system/release-web-db-v0) cannot be read: metadata.annotations["labforge.dev/author"] is missing'],
    ];
    for (const [record, message] of cases) {
      expect(() => decodeRelease(record), message).toThrow(message);
    }
  });

  it('are stored by snapshot, read back, listed with older ones, and never overwritten', async () => {
    const c = memoryCluster();
    await deploy(c, lab, { wait: false });
    // Dev has no running pods here; forcing takes it as it is.
    const made = await snapshot(c, 'v1', { labName: 'web-db', author: 'ann', force: true, now: new Date('2026-03-01T10:00:00Z') });
    expect(await getRelease(c, 'web-db', 'v1')).toEqual(made);
    c.put(v0Record());
    expect((await listReleases(c, 'web-db')).map((r) => [r.tag, r.author])).toEqual([
      ['v0', 'bob'],
      ['v1', 'ann'],
    ]);
    await expect(snapshot(c, 'v1', { labName: 'web-db', force: true })).rejects.toMatchObject({ kind: 'conflict', hint: 'new-tag' });
    await expect(getRelease(c, 'web-db', 'v7')).rejects.toMatchObject({ kind: 'not-found', hint: 'list-releases' });
    await expect(snapshot(c, 'v2', { labName: 'web-db' })).rejects.toMatchObject({ kind: 'conflict', hint: 'force' });
  });
});
