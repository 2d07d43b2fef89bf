import { describe, expect, it } from 'vitest';
import { NODE_KIND, NODE_KINDS, nodeHasScreen, runsCommands } from './node-kinds';

describe('node kinds registry', () => {
  it('has one entry per kind the schema accepts', () => {
    expect(Object.keys(NODE_KIND).sort()).toEqual([...NODE_KINDS].sort());
  });

  it('answers what the code used to ask of kind names', () => {
    expect(runsCommands({ kind: 'container' })).toBe(true);
    expect(runsCommands({ kind: 'vm' })).toBe(false);
    expect(runsCommands({ kind: 'no-such-kind' })).toBe(false);
    expect(nodeHasScreen({ kind: 'vm' })).toBe(true);
    expect(nodeHasScreen({ kind: 'container' })).toBe(false);
    expect(nodeHasScreen({ kind: 'container', desktop: true })).toBe(true);
    expect(nodeHasScreen({ kind: 'container', ports: [{ port: 5901, name: 'vnc' }] })).toBe(true);
  });
});
