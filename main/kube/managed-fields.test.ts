import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { adoptionPatch, hasCreatedFields, mergeFieldsV1, ownsExactly, type ManagedFieldsEntry } from './managed-fields';

const obj = (managedFields: ManagedFieldsEntry[]): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', managedFields } });
const fieldsOf = (o: KubeObject) => o.metadata['managedFields'] as ManagedFieldsEntry[];

const created: ManagedFieldsEntry = { manager: 'labforge', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } } };
const applied: ManagedFieldsEntry = { manager: 'labforge', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } } };
const controller: ManagedFieldsEntry = { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } };

describe('mergeFieldsV1', () => {
  it('is the union of both trees, deep', () => {
    expect(mergeFieldsV1({ 'f:a': { 'f:b': {} }, 'f:c': {} }, { 'f:a': { 'f:d': {} }, 'f:e': {} })).toEqual({ 'f:a': { 'f:b': {}, 'f:d': {} }, 'f:c': {}, 'f:e': {} });
  });
  it('keeps a subtree when the other side has the field as a leaf', () => {
    expect(mergeFieldsV1({ 'f:a': {} }, { 'f:a': { 'f:b': {} } })).toEqual({ 'f:a': { 'f:b': {} } });
    expect(mergeFieldsV1({ 'f:a': { 'f:b': {} } }, { 'f:a': {} })).toEqual({ 'f:a': { 'f:b': {} } });
  });
});

describe('adoptionPatch', () => {
  it('has nothing to do for an object only ever applied', () => {
    expect(hasCreatedFields(obj([applied, controller]), 'labforge')).toBe(false);
    expect(adoptionPatch(obj([applied, controller]), 'labforge')).toBeUndefined();
  });

  it("turns a created object's Update entry into the Apply entry", () => {
    const o = obj([controller, created]);
    expect(hasCreatedFields(o, 'labforge')).toBe(true);
    const after = applyJsonPatch(o, adoptionPatch(o, 'labforge')!);
    expect(fieldsOf(after)).toEqual([controller, { ...created, operation: 'Apply' }]);
  });

  it('folds the Update entry into an Apply entry that comes before or after it', () => {
    for (const order of [[created, controller, applied], [applied, controller, created]]) {
      const after = applyJsonPatch(obj(order), adoptionPatch(obj(order), 'labforge')!);
      const entries = fieldsOf(after);
      expect(entries.filter((e) => e.manager === 'labforge')).toEqual([{ ...applied, fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:port': {} }, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } } }]);
      expect(entries).toContainEqual(controller);
      expect(entries).toHaveLength(2);
    }
  });

  it('leaves other managers and subresource entries of ours alone', () => {
    const ours = { ...created, subresource: 'status' };
    expect(adoptionPatch(obj([ours, controller]), 'labforge')).toBeUndefined();
    expect(adoptionPatch(obj([{ ...created, manager: 'kubectl-edit' }]), 'labforge')).toBeUndefined();
  });

  it('fails, rather than overwrite, when the list changed since it was read', () => {
    const read = obj([created, applied]);
    const patch = adoptionPatch(read, 'labforge')!;
    // Someone else's entry was inserted in front in the meantime.
    expect(() => applyJsonPatch(obj([controller, created, applied]), patch)).toThrow(JsonPatchError);
  });
});

describe('applyJsonPatch', () => {
  const doc = { a: { b: [1, 2, 3] }, c: 'x' };
  it('adds, removes, replaces and tests, on a copy', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/c', value: 'x' },
      { op: 'add', path: '/a/b/-', value: 4 },
      { op: 'add', path: '/a/b/0', value: 0 },
      { op: 'remove', path: '/a/b/1' },
      { op: 'replace', path: '/c', value: { d: 1 } },
      { op: 'add', path: '/e~1f', value: true },
    ]);
    expect(out).toEqual({ a: { b: [0, 2, 3, 4] }, c: { d: 1 }, 'e/f': true });
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, c: 'x' });
  });
  it('compares objects in a test regardless of key order', () => {
    expect(() => applyJsonPatch({ a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }])).not.toThrow();
    expect(() => applyJsonPatch({ a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { x: 1 } }])).toThrow('test failed at /a');
  });
  it('refuses paths that lead nowhere', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a/b/3', value: 0 }])).toThrow('out of range');
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/z' }])).toThrow('no value at /z');
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/z/y', value: 0 }])).toThrow('no value at /z/y');
  });
});

describe('ownsExactly', () => {
  // A Deployment as publish compiles it, and as the API server stored its create: the Update
  // entry owns the compiled fields and what the server defaulted (imagePullPolicy).
  const want: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'c-ada', labels: { a: '1' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } } };
  const createdFields = (extra: Record<string, unknown> = {}) => ({
    'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
    'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:imagePullPolicy': {}, ...extra } } } } },
  });
  const live = (container: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
    ...want,
    metadata: { ...want.metadata, managedFields: [{ manager: 'labforge', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: createdFields(extra) }] },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', ...container }] } } },
  });
  // The server's dry run of a copy of `want` under another name.
  const defaults: KubeObject = { ...want, metadata: { ...want.metadata, name: 'web-dflt0a1b2c3d' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }] } } } };

  it('without the defaults, a created field that is not compiled is one the apply would drop', () => {
    expect(ownsExactly(want, live({ imagePullPolicy: 'IfNotPresent' }), 'labforge')).toBe(false);
  });

  it('with them, a created field holding its default value is no reason to apply', () => {
    expect(ownsExactly(want, live({ imagePullPolicy: 'IfNotPresent' }), 'labforge', defaults)).toBe(true);
  });

  it('a created field with another value than the default (an older release set it) still is', () => {
    expect(ownsExactly(want, live({ imagePullPolicy: 'Always' }), 'labforge', defaults)).toBe(false);
  });

  it('a field the release dropped, which the server does not default, still is', () => {
    const dropped = live({ imagePullPolicy: 'IfNotPresent', env: [{ name: 'MODE', value: 'v1' }] }, { 'f:env': { '.': {}, 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } } });
    expect(ownsExactly(want, dropped, 'labforge', defaults)).toBe(false);
  });

  it('defaults of another kind are not used', () => {
    expect(ownsExactly(want, live({ imagePullPolicy: 'IfNotPresent' }), 'labforge', { ...defaults, kind: 'StatefulSet' })).toBe(false);
  });

  it("a default taken from the object's name is compared with the live object's own name", () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c-ada', labels: { a: '1' } } };
    const liveNs = (label: string): KubeObject => ({
      ...ns,
      metadata: {
        name: 'c-ada',
        labels: { a: '1', 'kubernetes.io/metadata.name': label },
        managedFields: [{ manager: 'labforge', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {}, 'f:kubernetes.io/metadata.name': {} } } } }],
      },
    });
    // The dry run was of another student's namespace, under a name of its own.
    const probe: KubeObject = { ...ns, metadata: { name: 'c-brian-dflt01234567', labels: { a: '1', 'kubernetes.io/metadata.name': 'c-brian-dflt01234567' } } };
    expect(ownsExactly(ns, liveNs('c-ada'), 'labforge', probe)).toBe(true);
    expect(ownsExactly(ns, liveNs('c-brian-dflt01234567'), 'labforge', probe)).toBe(false);
    expect(ownsExactly(ns, liveNs('other'), 'labforge', probe)).toBe(false);
  });

  it('a compiled field the live copy does not own is still a reason to apply', () => {
    const o = live({ imagePullPolicy: 'IfNotPresent' });
    const fewer = { ...o, metadata: { ...o.metadata, managedFields: [{ manager: 'labforge', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] } };
    expect(ownsExactly(want, fewer, 'labforge', defaults)).toBe(false);
  });
});
