import { describe, expect, it } from 'vitest';
import { addCheck, removeCheck, updateCheck } from './check-edits';
import { emptyDoc, removeItems, rename, type Doc } from './doc';

function docWithChecks(): Doc {
  const d = emptyDoc('t');
  return {
    ...d,
    lab: {
      ...d.lab,
      nodes: [
        { name: 'web', kind: 'container', image: 'nginx:1.27' },
        { name: 'db', kind: 'container', image: 'postgres:16' },
      ],
      checks: [
        { id: 'a', title: 'A', node: 'web', script: 'true' },
        { id: 'b', title: 'B', node: 'db', script: 'true', after: ['a'] },
      ],
      achievements: [
        { name: 'web-only', checks: ['a'] },
        { name: 'both', checks: ['a', 'b'] },
      ],
    },
  };
}

describe('check edits', () => {
  it('adds a check on a node with a fresh id', () => {
    const d = addCheck(addCheck(emptyDoc('t'), 'web'), 'web');
    expect(d.lab.checks?.map((c) => [c.id, c.node])).toEqual([
      ['web-check-1', 'web'],
      ['web-check-2', 'web'],
    ]);
  });

  it('an id change follows into after and achievements', () => {
    const d = updateCheck(docWithChecks(), 0, { id: 'a2' });
    expect(d.lab.checks?.[1]?.after).toEqual(['a2']);
    expect(d.lab.achievements?.map((a) => a.checks)).toEqual([['a2'], ['a2', 'b']]);
  });

  it('clearing an optional field removes it', () => {
    const d = updateCheck(updateCheck(docWithChecks(), 0, { timeout: 5 }), 0, { timeout: undefined });
    expect('timeout' in d.lab.checks![0]!).toBe(false);
  });

  it('removing a check drops it from after and achievements; an emptied achievement goes', () => {
    const d = removeCheck(docWithChecks(), 0);
    expect(d.lab.checks).toEqual([{ id: 'b', title: 'B', node: 'db', script: 'true' }]);
    expect(d.lab.achievements).toEqual([{ name: 'both', checks: ['b'] }]);
    const none = removeCheck(d, 0);
    expect('checks' in none.lab).toBe(false);
    expect('achievements' in none.lab).toBe(false);
  });

  it('renaming a node renames its checks\' node; deleting it deletes its checks', () => {
    const renamed = rename(docWithChecks(), 'node', 'web', 'www');
    expect(renamed.lab.checks?.map((c) => c.node)).toEqual(['www', 'db']);
    const removed = removeItems(docWithChecks(), ['node:db']);
    expect(removed.lab.checks?.map((c) => c.id)).toEqual(['a']);
    expect(removed.lab.achievements).toEqual([
      { name: 'web-only', checks: ['a'] },
      { name: 'both', checks: ['a'] },
    ]);
  });
});
