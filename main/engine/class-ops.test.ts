import { describe, expect, it } from 'vitest';
import type { IDeployment, INamespace, IPod, IResourceQuota } from '../kube/kinds';
import { formatRows } from '../cli/tables';
import { classRows, foreignAnnotations } from './class-ops';

const ns = (name: string, student: string, release = 'v1', phase: 'Active' | 'Terminating' = 'Active'): INamespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'labforge.dev/student': student, 'labforge.dev/release': release }, annotations: { 'labforge.dev/student-id': student } },
  status: { phase },
});
const pod = (namespace: string, node: string, ready: boolean, deleting = false): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name: `${node}-x${deleting ? '-old' : ''}`, labels: { 'labforge.dev/node': node }, ...(deleting ? { deletionTimestamp: new Date().toISOString() } : {}) },
  status: { phase: ready ? 'Running' : 'Pending', containerStatuses: [{ name: node, ready, restartCount: 0, image: 'x', imageID: '', ...(ready ? {} : { state: { waiting: { reason: 'ImagePullBackOff' } } }) }] },
});
const deployment = (namespace: string, node: string, failure?: string): IDeployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace, name: node, generation: 1, labels: { 'labforge.dev/node': node } },
  spec: { replicas: 1, selector: {}, template: {} },
  status: { observedGeneration: 1, replicas: failure ? 0 : 1, updatedReplicas: failure ? 0 : 1, ...(failure ? { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure }] } : {}) },
});
const quota = (namespace: string): IResourceQuota => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { namespace, name: 'labforge-quota' },
  status: { hard: { 'requests.cpu': '500m', 'requests.memory': '640Mi', pods: '4' }, used: { 'requests.cpu': '0.4', 'requests.memory': '536870912', pods: '2' } },
});

describe('classRows', () => {
  it('gives each student the state of every lab node and their quota use, from class-wide lists', () => {
    const rows = classRows(
      [ns('c-bob-1', 'bob'), ns('c-amy-2', 'amy', 'v2', 'Terminating')],
      [pod('c-bob-1', 'web', true), pod('c-bob-1', 'db', false), pod('c-bob-1', 'web', true, true), pod('c-amy-2', 'web', true)],
      [quota('c-bob-1')],
      {
        workloads: [
          deployment('c-bob-1', 'web'),
          deployment('c-bob-1', 'db'),
          deployment('c-bob-1', 'cache', 'pods "cache-1" is forbidden: exceeded quota: labforge-quota, requested: requests.cpu=1'),
          deployment('c-amy-2', 'web'),
        ],
      },
    );
    expect(rows.map((r) => [r.student, r.release, r.phase, r.ready, r.total])).toEqual([
      ['amy', 'v2', 'Terminating', 1, 1],
      ['bob', 'v1', 'Active', 1, 3],
    ]);
    expect(rows[1]!.nodes).toEqual({ cache: { state: 'failed', reason: 'QuotaExceeded' }, db: { state: 'failed', reason: 'ImagePullBackOff', image: 'x' }, web: { state: 'ready' } });
    expect(rows[1]!.usage).toEqual({ cpu: { used: 0.4, hard: 0.5 }, memory: { used: 536870912, hard: 671088640 }, pods: { used: 2, hard: 4 } });
    expect(rows[1]!.cpu).toEqual({ used: '400m', hard: '500m' });
    expect(rows[0]!.cpu).toEqual({ used: '-', hard: '-' });

    const text = formatRows(rows);
    expect(text.split('\n')[0]).toMatch(/^STUDENT\s+NAMESPACE\s+RELEASE\s+READY\s+CPU \(used\/hard\)\s+MEMORY \(used\/hard\)\s+NOT READY$/);
    expect(text).toContain('1/1 (terminating)');
    expect(text).toContain('400m/500m');
    expect(text).toContain('cache: QuotaExceeded, db: ImagePullBackOff');
  });

  it('falls back to pod labels for the node list when workloads are not given', () => {
    const [row] = classRows([ns('c-bob-1', 'bob')], [pod('c-bob-1', 'web', true), pod('c-bob-1', 'db', false)], []);
    expect(Object.keys(row!.nodes)).toEqual(['db', 'web']);
    expect(row!.ready).toBe(1);
  });
});

describe('foreignAnnotations', () => {
  it("keeps what an admin put on a student namespace and drops Labforge's own and kubectl's bookkeeping", () => {
    expect(foreignAnnotations({
      'labforge.dev/student-id': 'amy',
      'labforge.dev/title': 'Lab',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'scheduler.alpha.kubernetes.io/node-selector': 'pool=labs',
      'scheduler.alpha.kubernetes.io/defaultTolerations': '[]',
    })).toEqual({ 'scheduler.alpha.kubernetes.io/node-selector': 'pool=labs', 'scheduler.alpha.kubernetes.io/defaultTolerations': '[]' });
    expect(foreignAnnotations(undefined)).toEqual({});
  });
});
