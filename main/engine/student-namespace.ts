/**
 * Which namespace a student of a class has. Usually the name common/compile/names.ts gives, but
 * a student keeps the namespace they were published to: names whose readable part is cut got 8
 * hex digits of hash from earlier versions and get 16 now, and those students must not be
 * orphaned (their work lives there). The namespace carries the student's id in an annotation
 * (students cannot write namespaces), so that is what identifies it, not its name.
 */
import { ANNOTATION, LABEL, studentKey, studentNamespace } from '../../common/compile';
import { managedSelector } from '../../common/compile/labels';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, type INamespace } from '../kube/kinds';

/** From a class's namespaces as listed: each student id → their namespace, else today's name. */
export function namespaceResolver(className: string, existing: readonly INamespace[]): (studentId: string) => string {
  const had = new Map<string, string>();
  for (const n of existing) {
    const id = n.metadata?.annotations?.[ANNOTATION.studentId];
    if (id !== undefined && n.metadata?.name) had.set(id, n.metadata.name);
  }
  return (studentId) => had.get(studentId) ?? studentNamespace(className, studentId);
}

/** One student's namespace: one list by their labels, then their annotation. */
export async function studentNamespaceIn(cluster: Cluster, className: string, studentId: string): Promise<string> {
  try {
    const { items } = await cluster.list(NAMESPACE, { labelSelector: managedSelector({ [LABEL.class]: className, [LABEL.student]: studentKey(studentId) }) });
    return namespaceResolver(className, items)(studentId);
  } catch (err) {
    throw err instanceof KubeError ? err.in(`finding the namespace of ${studentId}`) : err;
  }
}
