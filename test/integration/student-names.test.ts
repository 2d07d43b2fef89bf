// Student names on the real control plane: a roster with two ids on one label value is refused
// by line before anything is written; a namespace another class holds is not taken; and a
// student published under the 8-digit name of earlier versions keeps that namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION, LABEL, MANAGED_BY, studentKey, studentNamespace } from '../../common/compile';
import { sanitizeLabel, shortHash } from '../../common/compile/names';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { classNamespaces, publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import { KubeError } from '../../main/kube/errors';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const className = `nm-${randomId(3)}`;
const otherClass = `nmo-${randomId(3)}`;
let cluster: HttpCluster;
let release: Release;
const made: string[] = [];

beforeAll(async () => {
  cluster = adminCluster();
  release = await makeRelease(cluster, uniqueLab(exampleLab('routing-lab.yaml'), 'nm'), 'v1');
}, 300_000);

afterAll(async () => {
  await teardown(cluster, className).catch(() => undefined);
  for (const ns of made) await cluster.delete(NAMESPACE, ns).catch(() => undefined);
  cluster?.close();
});

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as KubeError);

describe('student names', () => {
  it('refuses a roster with two ids on one student label value, by line, and writes nothing', async () => {
    // Both sanitize to a-b-…-l and their 8-digit key hashes match (a birthday search found them).
    const students = [
      { id: 'alice', line: 2 },
      { id: 'a.b.c.d.e.f.g_.h.@i..j+k+.l', line: 3 },
      { id: 'a.b.c.d.e.f_g._h__i_j.@k..l', line: 4 },
    ];
    expect(studentKey(students[1]!.id)).toBe(studentKey(students[2]!.id));
    const err = await refusal(publish(cluster, { className, students, release, force: true }));
    expect(err).toBeInstanceOf(KubeError);
    expect(err!.message).toContain('nothing was written: line 3 (id "a.b.c.d.e.f.g_.h.@i..j+k+.l") and line 4 (id "a.b.c.d.e.f_g._h__i_j.@k..l") would share student label');
    expect(await classNamespaces(cluster, className)).toEqual([]);
  });

  it("does not take a namespace another class holds", async () => {
    const ns = studentNamespace(className, 'zed');
    made.push(ns);
    await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: otherClass } } });
    const err = await refusal(publish(cluster, { className, students: [{ id: 'amy', line: 2 }, { id: 'zed', line: 3 }], release, force: true }));
    expect(err!.message).toBe(`nothing was written: line 3 (id "zed") would take namespace ${ns}, which belongs to class ${otherClass}; change the id`);
    expect(await classNamespaces(cluster, className)).toEqual([]);
  });

  it('keeps a student published under the 8-digit name of earlier versions where they are', async () => {
    const id = `${'long-student-id-'.repeat(5)}x`;
    const legacy = `${sanitizeLabel(`${className}-${studentKey(id)}`).slice(0, 54).replace(/-+$/, '')}-${shortHash(`${className}\u0000${id}`)}`;
    expect(legacy).not.toBe(studentNamespace(className, id));
    // As an earlier version left it: the namespace with the class's labels and the student's id.
    await cluster.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: legacy, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: className, [LABEL.student]: studentKey(id), [LABEL.lab]: release.labName, [LABEL.release]: release.tag }, annotations: { [ANNOTATION.studentId]: id } },
    });
    const r = await publish(cluster, { className, students: [{ id }], release, force: true });
    expect(r.results).toMatchObject([{ student: id, namespace: legacy, status: 'updated' }]);
    expect((await classNamespaces(cluster, className)).map((n) => n.metadata?.name)).toEqual([legacy]);
    expect((await studentCredentials(cluster, className, id, 600)).namespace).toBe(legacy);
  }, 300_000);
});
