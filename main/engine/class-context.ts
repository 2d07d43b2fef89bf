/**
 * What a student namespace should hold: the release its labels name, compiled for that student
 * exactly as publish compiles it (the class's domain and link key, the suspension the namespace
 * records). Reconcile compares with it, suspend and resume apply parts of it.
 */
import { compileLab, LABEL, ANNOTATION, type KubeObject, type Suspension } from '../../common/compile';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import type { INamespace } from '../kube/kinds';
import { studentTarget } from './publish';
import { readClassSettings, readLinkKey, type ClassSettings } from './reconcile-settings';
import { releasesIn, type Release, type ReleaseReader } from './releases';
import { suspensionOf } from './suspension';

/** What a class is compiled with, besides its releases. */
export interface ClassContext {
  /** Where the class's releases are read: the cluster itself, or the home cluster of a class over zones. */
  releaseSource: ReleaseReader;
  settings: ClassSettings | undefined;
  linkKey: string | undefined;
  releases: Map<string, Promise<Release>>;
}

export async function classContext(cluster: Cluster, className: string, releaseSource: ReleaseReader = releasesIn(cluster)): Promise<ClassContext> {
  const settings = await readClassSettings(cluster, className);
  return { releaseSource, settings, linkKey: settings?.links === 'random' ? await readLinkKey(cluster, className) : undefined, releases: new Map() };
}

function releaseOf(ctx: ClassContext, lab: string, tag: string): Promise<Release> {
  const key = `${lab}@${tag}`;
  let r = ctx.releases.get(key);
  if (!r) {
    r = ctx.releaseSource(lab, tag);
    // A failed read is not remembered: the next pass asks again.
    r.catch(() => ctx.releases.delete(key));
    ctx.releases.set(key, r);
  }
  return r;
}

export interface StudentExpected {
  student: string;
  namespace: string;
  release: Release;
  objects: KubeObject[];
}

/**
 * The objects a student namespace should hold: its release, compiled as publish does, suspended
 * when the namespace says so (or as `suspended` overrides: what suspend and resume write).
 */
export async function expectedObjects(cluster: Cluster, className: string, ns: INamespace, ctx: ClassContext, suspended: Suspension | null | undefined = suspensionOf(ns)): Promise<StudentExpected> {
  const name = ns.metadata?.name ?? '';
  const labels = ns.metadata?.labels ?? {};
  const student = ns.metadata?.annotations?.[ANNOTATION.studentId] ?? labels[LABEL.student] ?? name;
  const lab = labels[LABEL.lab];
  const tag = labels[LABEL.release];
  if (!lab || !tag) throw new KubeError('invalid', `namespace ${name} does not say which release it runs (labels ${LABEL.lab}, ${LABEL.release}); publish to the class again`);
  const release = await releaseOf(ctx, lab, tag);
  const target = studentTarget(className, { id: student }, release, ctx.settings?.domain, ctx.linkKey, name);
  const objects = compileLab(release.lab, suspended ? { ...target, suspended } : target);
  return { student, namespace: name, release, objects };
}
