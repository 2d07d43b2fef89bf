import { describe, expect, it } from 'vitest';
import { classifyPod, classifyVm, type PodLike } from './node-state';

const running = (ready: boolean): PodLike => ({
  status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ ready, restartCount: 0, state: ready ? {} : { waiting: { reason: 'ContainerCreating' } } }] },
});

describe('node state', () => {
  it('reads ready, starting and pending', () => {
    expect(classifyPod(running(true))).toEqual({ state: 'ready' });
    expect(classifyPod(running(false))).toEqual({ state: 'starting', reason: 'ContainerCreating' });
    expect(classifyPod(undefined)).toMatchObject({ state: 'pending' });
    expect(classifyPod({ status: { phase: 'Pending' } })).toMatchObject({ state: 'pending' });
  });

  it('names the reason of a failure', () => {
    const waiting = (reason: string): PodLike => ({ status: { phase: 'Pending', containerStatuses: [{ ready: false, state: { waiting: { reason, message: `m ${reason}` } } }] } });
    expect(classifyPod(waiting('ImagePullBackOff'))).toEqual({ state: 'failed', reason: 'ImagePullBackOff', message: 'm ImagePullBackOff' });
    expect(classifyPod(waiting('CrashLoopBackOff'))).toMatchObject({ state: 'failed', reason: 'CrashLoopBackOff' });
    expect(classifyPod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }] } })).toEqual({
      state: 'failed',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
    });
    expect(classifyPod({ status: { phase: 'Running', containerStatuses: [{ ready: false, state: { terminated: { exitCode: 2 } } }] } })).toMatchObject({ state: 'failed', reason: 'Error' });
  });

  it('names the image a node could neither pull nor find, and only for image failures', () => {
    const status = (reason: string): PodLike => ({ status: { phase: 'Pending', containerStatuses: [{ ready: false, image: 'nginx:0.0-none', state: { waiting: { reason, message: 'not found' } } }] } });
    for (const reason of ['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull']) {
      expect(classifyPod(status(reason))).toEqual({ state: 'failed', reason, message: 'not found', image: 'nginx:0.0-none' });
    }
    expect(classifyPod(status('CrashLoopBackOff')).image).toBeUndefined();
  });

  it('reports a workload that cannot create its pod because of the quota', () => {
    const rs = { status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-1" is forbidden: exceeded quota: lab, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2' }] } };
    expect(classifyPod(undefined, rs)).toMatchObject({ state: 'failed', reason: 'QuotaExceeded' });
    expect(classifyPod(undefined, { status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'limit range' }] } })).toMatchObject({ state: 'failed', reason: 'FailedCreate' });
  });

  it('classifies KubeVirt VMs by their printable status', () => {
    expect(classifyVm({ status: { ready: true, printableStatus: 'Running' } })).toEqual({ state: 'ready' });
    expect(classifyVm({ status: { printableStatus: 'Starting' } })).toEqual({ state: 'starting', reason: 'Starting' });
    expect(classifyVm({ status: { printableStatus: 'ErrorUnschedulable' } })).toEqual({ state: 'failed', reason: 'ErrorUnschedulable' });
    expect(classifyVm(undefined)).toMatchObject({ state: 'pending' });
  });
});
