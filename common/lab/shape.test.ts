import { describe, expect, it } from 'vitest';
import type { LabInput } from './schema';
import { labShapeIssues, labShapeSchema } from './shape';
import { validateLab } from './parse';

const lab: LabInput = {
  apiVersion: 'labforge.dev/v1alpha1',
  kind: 'Lab',
  metadata: { name: 'demo' },
  networks: [{ name: 'lan' }],
  nodes: [{ name: 'web', kind: 'container', image: 'nginx:1.27', networks: ['lan'], ports: [{ port: 80 }] }],
};

const paths = (value: unknown) => labShapeIssues(value).map((i) => i.path.join('.'));

describe('the lab on the wire (shape only)', () => {
  it('accepts a valid lab, and a draft that breaks rules but not types', () => {
    expect(labShapeSchema.safeParse(lab).success).toBe(true);
    const draft = {
      ...lab,
      metadata: { name: 'Not A DNS Name' },
      nodes: [{ ...lab.nodes![0]!, name: '', image: 'Bad Image', ports: [{ port: 0 }, { port: 80.5 }], env: { '1x': 'y' }, extra: true }, { ...lab.nodes![0]! }],
      exposures: [{ node: 'missing', port: 99999 }],
    };
    expect(labShapeSchema.safeParse(draft).success).toBe(true);
    // The rules are still there for lab.validate to report.
    expect(validateLab(draft).ok).toBe(false);
  });

  it('keeps the draft as it is (no defaults, no stripped fields)', () => {
    const draft = { ...lab, nodes: [{ ...lab.nodes![0]!, extra: 1 }] };
    const r = labShapeSchema.safeParse(draft);
    expect(r.success && r.data).toBe(draft);
  });

  it('refuses values of the wrong type, naming where', () => {
    expect(paths('nope')).toEqual(['']);
    expect(paths({ ...lab, metadata: undefined })).toEqual(['metadata']);
    expect(paths({ ...lab, nodes: 'web' })).toEqual(['nodes']);
    expect(paths({ ...lab, nodes: [{ ...lab.nodes![0]!, image: 3, kind: 'pod' }] })).toEqual(['nodes.0.kind', 'nodes.0.image']);
    expect(paths({ ...lab, apiVersion: 'v2' })).toEqual(['apiVersion']);
    const r = labShapeSchema.safeParse({ ...lab, layout: { nodes: { web: { x: 1, y: 'top' } } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['layout', 'nodes', 'web', 'y'] });
  });
});
