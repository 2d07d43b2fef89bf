import { describe, expect, it } from 'vitest';
import { deployVerdict } from './verdict';

describe('deployVerdict', () => {
  it('counts the ready nodes and names each one that is not, with its reason', () => {
    const v = deployVerdict([
      { node: 'web', state: 'ready', ready: true },
      { node: 'server', state: 'starting', ready: false, reason: 'Scheduling', message: 'no node can run it' },
      { node: 'db', state: 'pending', ready: false },
    ]);
    expect(v).toBe('1 of 3 nodes ready; server: starting — Scheduling: no node can run it; db: pending — nothing reported yet');
  });

  it('never nests brackets when the cluster’s message has its own', () => {
    const v = deployVerdict([{ node: 'vm', state: 'pending', ready: false, message: 'KubeVirt has not reported on this VM (is virt-controller running?)' }]);
    expect(v).toBe('0 of 1 node ready; vm: pending — KubeVirt has not reported on this VM (is virt-controller running?)');
    expect(v).not.toMatch(/\([^)]*\(/);
  });

  it('says so when every node is ready', () => {
    expect(deployVerdict([{ node: 'web', state: 'ready', ready: true }])).toBe('1 of 1 node ready');
  });
});
