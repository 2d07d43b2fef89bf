import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { compileLab } from '../compile';
import { exampleLab } from '../../test/helpers/examples';
import { applyJsonPatch, gitopsTree, jsonDiff, studentTargetFor, type JsonPatchOp } from './gitops';

const input = (file: string) => ({
  lab: exampleLab(file),
  className: 'cs101',
  release: 'v3',
  students: [{ id: 'student-01' }, { id: 'Ada.Lovelace@uni.example' }],
  repoURL: 'https://git.example.com/course/labs.git',
  revision: 'main',
  repoPath: 'classes/cs101',
});

describe('gitops export', () => {
  for (const file of ['web-db.yaml', 'routing-lab.yaml']) {
    it(`${file}: base + each overlay's patches give exactly the student's compiled objects`, () => {
      const i = input(file);
      const tree = gitopsTree(i);
      const base = parseAllDocuments(tree.get('base/objects.yaml')!).map((d) => d.toJS());
      for (const s of i.students) {
        const expected = compileLab(i.lab, studentTargetFor(i, s.id));
        const dir = [...tree.keys()].find((k) => k.startsWith('overlays/') && tree.get(k)!.includes(`Student ${s.id}:`))!;
        const k = parse(tree.get(dir)!) as { resources: string[]; patches: { target: { kind: string; name: string }; patch: string }[] };
        expect(k.resources).toEqual(['../../base']);
        const got = base.map((b: { kind: string; metadata: { name: string } }) => {
          const p = k.patches.find((x) => x.target.kind === b.kind && x.target.name === b.metadata.name);
          return p ? applyJsonPatch(b, parse(p.patch) as JsonPatchOp[]) : b;
        });
        expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    });
  }

  it('writes an ApplicationSet and Flux Kustomizations over the overlays', () => {
    const tree = gitopsTree(input('web-db.yaml'));
    const appset = parse(tree.get('argocd/applicationset.yaml')!);
    expect(appset.kind).toBe('ApplicationSet');
    expect(appset.spec.generators[0].list.elements.map((e: { path: string }) => e.path)).toEqual([
      'classes/cs101/shared',
      expect.stringMatching(/^classes\/cs101\/overlays\/student-01$/),
      expect.stringMatching(/^classes\/cs101\/overlays\/ada-lovelace-uni-example-/),
    ]);
    const flux = parseAllDocuments(tree.get('flux/kustomizations.yaml')!).map((d) => d.toJS());
    expect(flux.map((d) => d.kind)).toEqual(['GitRepository', 'Kustomization', 'Kustomization', 'Kustomization']);
    expect(flux[1].spec.path).toBe('./classes/cs101/shared');
    expect(flux[2].spec).toMatchObject({ path: './classes/cs101/overlays/student-01', dependsOn: [{ name: flux[1].metadata.name }] });
    expect(parseAllDocuments(tree.get('shared/objects.yaml')!).map((d) => d.toJS().kind)).toEqual(['ClusterRole']);
  });

  it('diffs and patches JSON with escaped pointers', () => {
    const a = { metadata: { labels: { 'labforge.dev/student': 'base', x: '1' } }, list: [1, 2], gone: true };
    const b = { metadata: { labels: { 'labforge.dev/student': 's1', x: '1', y: '2' } }, list: [1, 2, 3] };
    const ops = jsonDiff(a, b);
    expect(ops).toContainEqual({ op: 'replace', path: '/metadata/labels/labforge.dev~1student', value: 's1' });
    expect(applyJsonPatch(a, ops)).toEqual(b);
  });
});
