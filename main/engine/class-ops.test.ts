import { describe, expect, it } from 'vitest';
import type { INamespace, IPod, IResourceQuota } from '../kube/kinds';
import { classRows, formatRows } from './class-ops';

const ns = (name: string, student: string, release = 'v1', phase: 'Active' | 'Terminating' = 'Active'): INamespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'labforge.dev/student': student, 'labforge.dev/release': release }, annotations: { 'labforge.dev/student-id': student } },
  status: { phase },
});
const pod = (namespace: string, name: string, ready: boolean, deleting = false): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, ...(deleting ? { deletionTimestamp: new Date().toISOString() } : {}) },
  status: { phase: ready ? 'Running' : 'Pending', containerStatuses: [{ name: 'c', ready, restartCount: 0, image: 'x', imageID: '' }] },
});
const quota = (namespace: string): IResourceQuota => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { namespace, name: 'labforge-quota' },
  status: { hard: { 'requests.cpu': '500m', 'requests.memory': '640Mi' }, used: { 'requests.cpu': '0.4', 'requests.memory': '536870912' } },
});

describe('classRows', () => {
  it('counts ready pods and quota per student from class-wide lists', () => {
    const rows = classRows(
      [ns('c-bob-1', 'bob'), ns('c-amy-2', 'amy', 'v2', 'Terminating')],
      [pod('c-bob-1', 'a', true), pod('c-bob-1', 'b', false), pod('c-bob-1', 'old', true, true), pod('c-amy-2', 'a', true)],
      [quota('c-bob-1')],
    );
    expect(rows).toEqual([
      { student: 'amy', namespace: 'c-amy-2', release: 'v2', ready: 1, total: 1, cpu: { used: '-', hard: '-' }, memory: { used: '-', hard: '-' }, phase: 'Terminating' },
      { student: 'bob', namespace: 'c-bob-1', release: 'v1', ready: 1, total: 2, cpu: { used: '400m', hard: '500m' }, memory: { used: '512Mi', hard: '640Mi' }, phase: 'Active' },
    ]);
    const text = formatRows(rows);
    expect(text.split('\n')[0]).toMatch(/^STUDENT\s+NAMESPACE\s+RELEASE\s+READY\s+CPU \(used\/hard\)\s+MEMORY \(used\/hard\)$/);
    expect(text).toContain('1/1 (terminating)');
    expect(text).toContain('400m/500m');
  });
});
