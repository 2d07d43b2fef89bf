/**
 * A lab deployed to dev, released as v1 and published to a class on the local control plane,
 * for the browser tests of the class view; and its removal afterwards.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { devNamespace, studentNamespace } from '../../common/compile';
import { onRealNode, waitFor } from '../integration/helpers/kube';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { teardown } from '../../main/engine/class-ops';
import { deploy } from '../../main/engine/deploy';
import { publish, type PublishOptions } from '../../main/engine/publish';
import { deleteClassSettings } from '../../main/engine/reconcile-settings';
import { snapshot } from '../../main/engine/releases';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, POD } from '../../main/kube/kinds';
import { LABEL } from '../../common/compile/labels';
import { localCluster } from './helpers';

export interface PublishedClass {
  kc: KubeConfig;
  cluster: HttpCluster;
  lab: Lab;
  className: string;
  /** Tears the class down (settings included), deletes dev and closes the cluster. */
  remove(): Promise<void>;
}

/**
 * `realNode`: the class's namespaces are made on the real node first (what runs in them is
 * tested: checks, terminals), where the cluster's default would put them on kwok.
 */
export async function publishedClass(labText: string, className: string, students: number, extra: Partial<Pick<PublishOptions, 'domain' | 'links' | 'expiresAt'>> = {}, opts: { realNode?: boolean } = {}): Promise<PublishedClass> {
  const local = await localCluster();
  const cluster = connect({ kubeconfig: local.up.kubeconfig });
  const parsed = parseLab(labText);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const lab = parsed.lab;
  // Checks tried on dev run in dev's containers too.
  if (opts.realNode) await onRealNode(local.kc, [devNamespace(lab.metadata.name)]);
  const r = await deploy(cluster, lab, { timeoutMs: 120_000 });
  if (!r.ready) throw new Error('dev did not become ready');
  const release = await snapshot(cluster, 'v1', { fileLab: lab });
  const roster = numberedStudents(students);
  if (opts.realNode) await onRealNode(local.kc, roster.map((s) => studentNamespace(className, s.id)));
  const published = await publish(cluster, { className, students: roster, release, ...extra });
  const failed = published.results.filter((x) => x.status === 'failed');
  if (failed.length) throw new Error(`publish failed for ${failed.map((x) => `${x.student}: ${x.error}`).join('; ')}`);
  // On the real node containers take seconds to start; what the tests run needs them running.
  if (opts.realNode) {
    await waitFor('every pod of the class to be Ready', async () => {
      const pods = (await cluster.list(POD, { labelSelector: `${LABEL.class}=${className}` })).items;
      return pods.length >= students * lab.nodes.length && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 180_000, 500);
  }
  return {
    kc: local.kc,
    cluster,
    lab,
    className,
    async remove() {
      await teardown(cluster, className, undefined, 5_000).catch(() => undefined);
      await deleteClassSettings(cluster, className).catch(() => undefined);
      await cluster.delete(NAMESPACE, devNamespace(lab.metadata.name)).catch(() => undefined);
      cluster.close();
    },
  };
}
