import { describe, expect, it } from 'vitest';
import { deployVerdict } from './verdict';

describe('deployVerdict', () => {
  it('counts the ready nodes and names each one that is not, with its reason', () => {
    const v = deployVerdict([
      { node: 'web', state: 'ready', ready: true },
      { node: 'server', state: 'starting', ready: false, reason: 'Scheduling', message: 'no node can run it' },
      { node: 'db', state: 'pending', ready: false },
    ]);
    expect(v).toBe('1 of 3 nodes ready; server: starting (Scheduling: no node can run it); db: pending (nothing reported yet)');
  });

  it('says so when every node is ready', () => {
    expect(deployVerdict([{ node: 'web', state: 'ready', ready: true }])).toBe('1 of 1 node ready');
  });
});
