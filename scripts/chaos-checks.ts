/**
 * What "converged" means after a chaos round, counted so a report can say 0 (and a test can
 * assert it): for every student of the class, the objects Labforge owns in their namespace are
 * exactly the release's compiled objects (nothing missing, nothing extra), all of that release,
 * exactly one pod per container node once the controllers settle, and the volumes (PVCs) are the
 * very same objects (same UIDs) as before the round.
 */
import { compileLab, LABEL } from '../common/compile';
import { labelSelector } from '../common/compile/labels';
import type { Lab } from '../common/lab';
import type { Student } from '../main/class/roster';
import { key, listOwned } from '../main/engine/owned';
import { classNamespaces, studentTarget } from '../main/engine/publish';
import type { Release } from '../main/engine/releases';
import type { Cluster } from '../main/kube/cluster';
import { PERSISTENT_VOLUME_CLAIM, POD } from '../main/kube/kinds';

export interface Convergence {
  /** `namespace:kind/name` of compiled objects that are not in the cluster. */
  missing: string[];
  /** Owned objects the release does not have (leftovers or duplicates), and namespaces of the class no student owns. */
  extra: string[];
  /** Owned objects labelled with another release (a half-applied upgrade). */
  wrongRelease: string[];
  /** Container nodes without exactly one live pod, `namespace/node: n pods`. */
  pods: string[];
  /** PVCs whose UID differs from the one recorded before (or that vanished). */
  pvcChanged: string[];
  objects: number;
}

export const converged = (c: Convergence) =>
  c.missing.length + c.extra.length + c.wrongRelease.length + c.pods.length + c.pvcChanged.length === 0;

/** `namespace/name` → uid of every PVC of the class. */
export async function pvcUids(cluster: Cluster, className: string): Promise<Map<string, string>> {
  const { items } = await cluster.list(PERSISTENT_VOLUME_CLAIM, { labelSelector: labelSelector({ [LABEL.class]: className }) });
  return new Map(items.map((p) => [`${p.metadata!.namespace}/${p.metadata!.name}`, p.metadata!.uid!]));
}

export async function checkClass(
  cluster: Cluster,
  className: string,
  students: Student[],
  release: Release,
  opts: { pvcsBefore?: Map<string, string>; podSettleMs?: number } = {},
): Promise<Convergence> {
  const lab: Lab = release.lab;
  const out: Convergence = { missing: [], extra: [], wrongRelease: [], pods: [], pvcChanged: [], objects: 0 };
  const wanted = new Map(students.map((s) => [studentTarget(className, s, release).namespace, s]));
  for (const ns of await classNamespaces(cluster, className)) {
    if (!wanted.has(ns.metadata!.name!)) out.extra.push(`namespace ${ns.metadata!.name}`);
  }
  for (const [ns, s] of wanted) {
    const want = new Set(compileLab(lab, studentTarget(className, s, release)).filter((o) => o.kind !== 'Namespace').map(key));
    const have = await listOwned(cluster, ns, lab.metadata.name);
    out.objects += have.length;
    const haveKeys = new Set(have.map(key));
    for (const k of want) if (!haveKeys.has(k)) out.missing.push(`${ns}:${k}`);
    for (const o of have) {
      if (!want.has(key(o))) out.extra.push(`${ns}:${key(o)}`);
      else if (o.metadata.labels?.[LABEL.release] !== release.tag) out.wrongRelease.push(`${ns}:${key(o)} (${o.metadata.labels?.[LABEL.release]})`);
    }
  }
  // Pods come from the controllers after the writes, and an upgrade replaces them (Recreate,
  // one StatefulSet pod at a time): wait for one live pod per container node, then report.
  const containerNodes = lab.nodes.filter((n) => n.kind === 'container').map((n) => n.name);
  const podProblems = async () => {
    const { items } = await cluster.list(POD, { labelSelector: labelSelector({ [LABEL.class]: className }) });
    const count = new Map<string, number>();
    for (const p of items) {
      if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const k = `${p.metadata!.namespace}/${p.metadata?.labels?.[LABEL.node] ?? '?'}`;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    const problems: string[] = [];
    for (const ns of wanted.keys()) for (const n of containerNodes) if ((count.get(`${ns}/${n}`) ?? 0) !== 1) problems.push(`${ns}/${n}: ${count.get(`${ns}/${n}`) ?? 0} pods`);
    for (const k of count.keys()) {
      const [ns = '', node = ''] = k.split('/');
      if (!wanted.has(ns) || !containerNodes.includes(node)) problems.push(`${k}: a pod of no wanted node`);
    }
    return problems;
  };
  const deadline = Date.now() + (opts.podSettleMs ?? 120_000);
  for (;;) {
    out.pods = await podProblems();
    if (out.pods.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (opts.pvcsBefore) {
    const now = await pvcUids(cluster, className);
    for (const [k, uid] of opts.pvcsBefore) if (now.get(k) !== uid) out.pvcChanged.push(`${k}: ${uid} → ${now.get(k) ?? 'gone'}`);
  }
  return out;
}

/** UIDs of everything a class owns, to prove a restart lost nothing that was already written. */
export async function classUids(cluster: Cluster, className: string, students: Student[], release: Release): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of students) {
    const ns = studentTarget(className, s, release).namespace;
    for (const o of await listOwned(cluster, ns, release.lab.metadata.name)) out.set(`${ns}:${key(o)}`, o.metadata.uid ?? '');
  }
  return out;
}
