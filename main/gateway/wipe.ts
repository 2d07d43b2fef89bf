/**
 * Wipe on disconnect: when a student's last SSH session ends, their namespace goes back to the
 * release, so the next login starts clean (an exam, a shared lab machine).
 *
 * - Volumes dropped: the engine's reset (delete the namespace, publish the release again).
 *   The student's key Secrets live in that namespace, so they are read first and written back:
 *   a wipe never locks the student out.
 * - Volumes kept: the lab's workloads and their pods are deleted and the release applied again;
 *   PersistentVolumeClaims and Secrets stay, so the next pods mount the same data.
 */
import { LABEL, managedSelector } from '../../common/compile/labels';
import { kindOf, type Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, POD } from '../kube/kinds';
import { reset } from '../engine/class-ops';
import { publish } from '../engine/publish';
import { getRelease } from '../engine/releases';
import { keySelector, SECRET, type SecretObject } from './key-store';
import { studentNamespaceIn } from '../engine/student-namespace';

export type WipeVolumes = 'keep' | 'drop';

const WORKLOADS = [kindOf('apps/v1', 'Deployment'), kindOf('apps/v1', 'StatefulSet'), kindOf('kubevirt.io/v1', 'VirtualMachine')];

/** A Secret as it can be created again: no server-set fields. */
function fresh(s: SecretObject): SecretObject {
  const { name, namespace, labels, annotations } = s.metadata;
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) }, ...(s.type ? { type: s.type } : {}), ...(s.data ? { data: s.data } : {}) };
}

async function waitPodsGone(cluster: Cluster, namespace: string, selector: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { items } = await cluster.list(POD, { namespace, labelSelector: selector });
    if (items.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new KubeError('server', `the pods of ${namespace} were still there after ${timeoutMs / 1000}s`);
}

export async function wipeStudent(cluster: Cluster, className: string, student: string, volumes: WipeVolumes, timeoutMs = 120_000): Promise<void> {
  const namespace = await studentNamespaceIn(cluster, className, student);
  if (volumes === 'drop') {
    const keys = (await cluster.list(SECRET, { namespace, labelSelector: keySelector(className, student) })).items;
    try {
      await reset(cluster, className, student, timeoutMs);
    } finally {
      // Written back even when the reset failed halfway: the student keeps their way in.
      if (await cluster.read(NAMESPACE, namespace)) for (const k of keys) await cluster.apply(fresh(k));
    }
    return;
  }
  const ns = await cluster.read(NAMESPACE, namespace);
  const lab = ns?.metadata?.labels?.[LABEL.lab];
  const tag = ns?.metadata?.labels?.[LABEL.release];
  if (!ns || !lab || !tag) throw new KubeError('not-found', `student ${student} has no published lab in class ${className}`);
  const release = await getRelease(cluster, lab, tag);
  const selector = managedSelector({ [LABEL.lab]: lab });
  for (const kind of WORKLOADS) {
    if (!(await cluster.serves(kind))) continue;
    for (const w of (await cluster.list(kind, { namespace, labelSelector: selector })).items) await cluster.delete(kind, w.metadata.name, namespace);
  }
  // Bare pods and ones whose owner is already gone: nothing may survive into the fresh lab.
  for (const p of (await cluster.list(POD, { namespace, labelSelector: selector })).items) await cluster.delete(POD, p.metadata?.name ?? '', namespace);
  await waitPodsGone(cluster, namespace, selector, timeoutMs);
  const r = await publish(cluster, { className, students: [{ id: student }], release, force: true });
  const result = r.results[0];
  if (!result || result.status === 'failed') throw new KubeError('server', `publishing ${lab}@${tag} to ${student} again failed: ${result?.error ?? 'no result'}`);
}
