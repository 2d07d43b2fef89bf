// `labforge export gitops` on the real control plane: for each student, `kubectl kustomize
// overlays/<student>` gives exactly what `labforge compile` gives for that student, object by
// object, and `kubectl apply --server-side -k` of one overlay makes a working student namespace.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLab, studentKey, type KubeObject } from '../../common/compile';
import { studentTargetFor } from '../../common/export/gitops';
import { locateBinaries } from '../../main/cluster/binaries';
import { NAMESPACE, POD } from '../../main/kube/kinds';
import type { Release } from '../../main/engine/releases';
import { adminCluster, exampleLab, makeRelease, ROOT, uniqueLab } from './helpers/engine';
import { testKubeconfigPath } from './helpers/kube';

const run = promisify(execFile);
const cluster = adminCluster();
const CLASS = `gx${Date.now().toString(36).slice(-5)}`;
const STUDENTS = ['student-01', 'student-02', 'Grace.Hopper@uni.example'];
const out = mkdtempSync(join(tmpdir(), 'labforge-gitops-'));
let release: Release;
let kubectl: string;

beforeAll(async () => {
  kubectl = (await locateBinaries()).paths.kubectl;
  release = await makeRelease(cluster, uniqueLab(exampleLab('web-db.yaml'), 'gx'), 'v1');
});

afterAll(async () => {
  for (const s of STUDENTS) await cluster.delete(NAMESPACE, studentTargetFor({ className: CLASS, release: 'v1' }, s).namespace).catch(() => undefined);
  cluster.close();
});

const identity = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('labforge export gitops', () => {
  it('writes overlays that kustomize into exactly the compiled objects, and one applies to a working namespace', async () => {
    const args = ['export', 'gitops', `${release.labName}@v1`, '--class', CLASS, ...STUDENTS.flatMap((s) => ['--student', s]), '-o', out, '--kubeconfig', testKubeconfigPath()];
    const { stderr } = await run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT });
    expect(stderr).toMatch(/wrote \d+ files .* 3 overlays/);

    for (const s of STUDENTS) {
      const { stdout } = await run(kubectl, ['kustomize', join(out, 'overlays', studentKey(s))], { maxBuffer: 64 * 1024 * 1024 });
      const got = new Map(parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject).map((o) => [identity(o), o]));
      const expected = compileLab(release.lab, studentTargetFor({ className: CLASS, release: 'v1' }, s));
      expect([...got.keys()].sort()).toEqual(expected.map(identity).sort());
      for (const o of expected) expect(got.get(identity(o)), identity(o)).toEqual(JSON.parse(JSON.stringify(o)));
    }

    const first = studentTargetFor({ className: CLASS, release: 'v1' }, STUDENTS[0]!).namespace;
    await run(kubectl, ['--kubeconfig', testKubeconfigPath(), 'apply', '--server-side', '--field-manager', 'labforge', '-k', join(out, 'shared')]);
    await run(kubectl, ['--kubeconfig', testKubeconfigPath(), 'apply', '--server-side', '--field-manager', 'labforge', '-k', join(out, 'overlays', studentKey(STUDENTS[0]!))]);
    // The student's binding grants what the shared ClusterRole says, in their namespace only.
    const { stdout: can } = await run(kubectl, ['--kubeconfig', testKubeconfigPath(), 'auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', first, '--as', `system:serviceaccount:${first}:student`]).catch((e: { stdout: string }) => e);
    expect(can.trim()).toBe('yes');
    const { stdout: cannot } = await run(kubectl, ['--kubeconfig', testKubeconfigPath(), 'auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', 'default', '--as', `system:serviceaccount:${first}:student`]).catch((e: { stdout: string }) => e);
    expect(cannot.trim()).toBe('no');
    const deadline = Date.now() + 90_000;
    let running: string[] = [];
    while (Date.now() < deadline) {
      const pods = (await cluster.list(POD, { namespace: first })).items as { metadata: { labels?: Record<string, string> }; status?: { phase?: string } }[];
      running = pods.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.labels?.['labforge.dev/node'] ?? '?').sort();
      if (running.length === release.lab.nodes.length) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(running).toEqual(release.lab.nodes.map((n) => n.name).sort());
  });

  it('with --force, refuses a link in -o that leads out of it, before writing any file (issue 32)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'labforge-gitops-elsewhere-'));
    const into = mkdtempSync(join(tmpdir(), 'labforge-gitops-linked-'));
    symlinkSync(elsewhere, join(into, 'overlays'));
    const args = ['export', 'gitops', `${release.labName}@v1`, '--class', CLASS, '--student', STUDENTS[0]!, '-o', into, '--force', '--kubeconfig', testKubeconfigPath()];
    const r = await run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT }).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`-o .* leads outside ${into} through the symbolic link ${into}/overlays: remove the link or point it inside`));
    expect(readdirSync(elsewhere)).toEqual([]);
    expect((readdirSync(into, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml'))).toEqual([]);
  });
});
