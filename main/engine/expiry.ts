/**
 * The end of a class. At its end date the reconciler tears it down:
 *
 * - volumes `delete`: the student namespaces go, with everything in them;
 * - volumes `keep` (the default): everything Labforge made goes except the volumes, so no node
 *   runs and no credential works (the student ServiceAccount is deleted, which revokes its
 *   tokens), while each namespace keeps its PersistentVolumeClaims. Publishing the class again
 *   with a later end date brings the lab back onto the same volumes (publish never recreates a
 *   PVC), and `kubectl -n <namespace> get pvc` shows them meanwhile.
 *
 * The settings record remembers that the class ended and which volumes were kept.
 */
import type { KubeObject } from '../../common/compile/types';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { kindOfObject, PERSISTENT_VOLUME_CLAIM } from '../kube/kinds';
import { listOwned } from '../kube/owned';
import { ANNOTATION, LABEL } from '../../common/compile/labels';
import { teardown, type TeardownResult } from './class-ops';
import { NAMESPACED_KINDS } from './owned';
import { classNamespaces, classSelector } from './publish';
import { reconcilerName } from './in-cluster';
import { updateClassSettings, writeClassSettings, type ClassSettings, type KeptVolume } from './reconcile-settings';

export interface ExpireResult {
  className: string;
  at: string;
  volumes: 'keep' | 'delete';
  /** Namespaces deleted (volumes `delete`). */
  teardown?: TeardownResult;
  /** Volumes kept, one per PVC (volumes `keep`). */
  keptVolumes: KeptVolume[];
  /** Objects deleted in the namespaces kept (volumes `keep`). */
  deleted: number;
}

/** Tears the class down as its settings say and records that it ended. */
export async function expireClass(cluster: Cluster, className: string, settings: ClassSettings, now = new Date()): Promise<ExpireResult> {
  const at = now.toISOString();
  const result: ExpireResult = { className, at, volumes: settings.volumes, keptVolumes: [], deleted: 0 };
  try {
    if (settings.volumes === 'delete') {
      result.teardown = await teardown(cluster, className);
    } else {
      for (const ns of await classNamespaces(cluster, className)) {
        const namespace = ns.metadata?.name ?? '';
        const student = ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student] ?? namespace;
        const owned: KubeObject[] = await listOwned(cluster, namespace, classSelector(className), NAMESPACED_KINDS);
        // An in-cluster reconciler's own access to the namespace goes last: it needs it until then,
        // and the binding that lets it delete (named after it) goes after its other bindings.
        const own = (o: KubeObject) => (o.metadata.labels?.[LABEL.component] !== 'reconciler' ? 0 : o.metadata.name === reconcilerName(className) ? 2 : 1);
        for (const o of owned.sort((a, b) => own(a) - own(b))) {
          if (o.kind === 'PersistentVolumeClaim') continue;
          if (await cluster.delete(kindOfObject(o), o.metadata.name, namespace)) result.deleted++;
        }
        // Every claim is kept, the student's own included.
        for (const pvc of (await cluster.list(PERSISTENT_VOLUME_CLAIM, { namespace })).items) {
          result.keptVolumes.push({ student, namespace, volume: pvc.metadata?.name ?? '' });
        }
      }
    }
    await writeClassSettings(cluster, className, { ...settings, expired: { at, keptVolumes: result.keptVolumes } });
  } catch (err) {
    throw err instanceof KubeError ? err.in(`ending class ${className}`) : err;
  }
  return result;
}

/** Sets (or clears, with `undefined`) the end date of a class, and optionally its volume policy and warning period. */
export async function setExpiry(cluster: Cluster, className: string, change: { expiresAt: string | undefined; volumes?: 'keep' | 'delete'; warnSeconds?: number }): Promise<ClassSettings> {
  return updateClassSettings(cluster, className, (s) => {
    const { expiresAt: _old, ...rest } = s;
    return {
      ...rest,
      ...(change.expiresAt ? { expiresAt: change.expiresAt } : {}),
      ...(change.volumes ? { volumes: change.volumes } : {}),
      ...(change.warnSeconds !== undefined ? { warnSeconds: change.warnSeconds } : {}),
    };
  });
}

/**
 * How to get kept volumes back, in words for the CLI and the app; `publishAgain` is the front
 * end's way to publish with a later end date (the CLI's command), when it has one to name.
 */
export function keptVolumesHelp(kept: KeptVolume[], publishAgain?: string): string {
  if (kept.length === 0) return 'no volumes were kept';
  const lines = kept.map((k) => `  ${k.student}: ${k.namespace}/${k.volume}`);
  return [
    `${kept.length} volume${kept.length === 1 ? '' : 's'} kept:`,
    ...lines,
    `to get them back, publish again with a later end date${publishAgain ? ` (${publishAgain})` : ''}: each student's lab returns onto the same volumes;`,
    'to copy data out meanwhile, mount a claim in a pod of its namespace (kubectl -n <namespace> get pvc).',
  ].join('\n');
}
