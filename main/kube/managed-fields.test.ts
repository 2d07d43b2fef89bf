import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { adoptionPatch, hasCreatedFields, mergeFieldsV1, type ManagedFieldsEntry } from './managed-fields';

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
