/**
 * Releases: immutable snapshots of what runs in dev, stored in the cluster as immutable
 * ConfigMaps in `labforge-system`, so every instructor machine sees the same ones.
 *
 * A release holds the lab with image references pinned to the digests the dev pods report,
 * the compiled template, the image table, and who made it when.
 */
import { userInfo } from 'node:os';
import { compileLab, devNamespace, LABEL, MANAGED_BY, objectsToYaml } from '../../common/compile';
import { labelSelector } from '../../common/compile/labels';
import { parseLab, serializeLab, type Lab } from '../../common/lab';
import { applyObject } from '../kube/apply';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP, POD } from '../kube/kinds';
import { nodeStatuses } from './node-status';
import { LAB_RECORD } from './owned';
import { decodeRelease, decodeReleaseSummary, encodeRelease, releaseName, releaseSelector, SYSTEM_NAMESPACE, type PinnedImage, type Release, type ReleaseSummary } from './release-record';

export { releaseName, SYSTEM_NAMESPACE, type PinnedImage, type Release, type ReleaseSummary } from './release-record';

/** Reads the lab recorded in a dev namespace by `deploy`. */
async function deployedLab(cluster: Cluster, namespace: string): Promise<Lab> {
  const cm = await cluster.read(CONFIG_MAP, LAB_RECORD, namespace);
  if (!cm) throw new KubeError('not-found', `no lab is deployed in namespace ${namespace}; deploy the lab first`, { hint: 'deploy-first' });
  const r = parseLab(cm.data?.['lab.yaml'] ?? '');
  if (!r.ok) throw new KubeError('invalid', `the lab recorded in ${namespace} is invalid: ${r.issues[0]?.message}`);
  return r.lab;
}

/** Digest of a container image as the kubelet reports it (imageID), e.g. sha256:abc…. */
export function digestOf(imageID: string | undefined): string | undefined {
  const m = imageID ? /sha256:[a-f0-9]{64}/.exec(imageID) : null;
  return m?.[0];
}

/** Pins `image` to `digest`: repo[:tag]@sha256:…, replacing any digest it had. */
export function pinImage(image: string, digest: string): string {
  return `${image.replace(/@sha256:[a-f0-9]{64}$/, '')}@${digest}`;
}

async function pinnedImages(cluster: Cluster, namespace: string, lab: Lab): Promise<PinnedImage[]> {
  const pods = (await cluster.list(POD, { namespace, labelSelector: labelSelector({ [LABEL.lab]: lab.metadata.name }) })).items;
  return lab.nodes.map((node) => {
    if (node.kind === 'vm') return { node: node.name, image: node.image };
    const pod = pods.find((p) => p.metadata?.labels?.[LABEL.node] === node.name && !p.metadata?.deletionTimestamp);
    const status = pod?.status?.containerStatuses?.find((c) => c.name === node.name);
    const digest = digestOf(status?.imageID);
    return digest ? { node: node.name, image: node.image, pinned: pinImage(node.image, digest) } : { node: node.name, image: node.image };
  });
}

export interface SnapshotOptions {
  namespace?: string;
  force?: boolean;
  /** The lab the user named by file; must match what dev runs unless forced. */
  fileLab?: Lab;
  labName?: string;
  author?: string;
  note?: string;
  now?: Date;
}

export async function snapshot(cluster: Cluster, tag: string, opts: SnapshotOptions): Promise<Release> {
  const labName = opts.fileLab?.metadata.name ?? opts.labName;
  if (!labName) throw new KubeError('invalid', 'name the lab by file or by name');
  const namespace = opts.namespace ?? devNamespace(labName);
  const lab = await deployedLab(cluster, namespace);

  if (opts.fileLab && serializeLab(opts.fileLab) !== serializeLab(lab) && !opts.force) {
    throw new KubeError('conflict', `dev (${namespace}) runs a different version of ${labName} than the file; deploy the file first, or force the snapshot to take what dev runs`, { hint: 'force' });
  }
  const statuses = await nodeStatuses(cluster, namespace, lab);
  const unhealthy = statuses.filter((s) => !s.ready);
  if (unhealthy.length > 0 && !opts.force) {
    throw new KubeError('conflict', `dev is not healthy (${unhealthy.map((s) => `${s.node}: ${s.message ?? s.state}`).join('; ')}); fix it, or force the snapshot to take it as it is`, { hint: 'force' });
  }

  const images = await pinnedImages(cluster, namespace, lab);
  const pinnedLab: Lab = structuredClone(lab);
  for (const node of pinnedLab.nodes) {
    const p = images.find((i) => i.node === node.name)?.pinned;
    if (p) node.image = p;
  }
  const release: Release = {
    lab: pinnedLab,
    labName,
    tag,
    createdAt: (opts.now ?? new Date()).toISOString(),
    author: opts.author ?? defaultAuthor(cluster),
    note: opts.note ?? '',
    images,
    template: objectsToYaml(compileLab(pinnedLab, { namespace: 'release-template', release: tag })),
  };

  await ensureSystemNamespace(cluster);
  try {
    // Create, not apply: an existing tag must fail rather than be overwritten.
    await cluster.create(encodeRelease(release));
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'conflict') {
      throw new KubeError('conflict', `release ${labName}@${tag} already exists; releases are immutable, pick a new tag`, { status: 409, hint: 'new-tag' });
    }
    throw err instanceof KubeError ? err.in(`storing release ${tag}`) : err;
  }
  return release;
}

function defaultAuthor(cluster: Cluster): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no local user (containers); the kubeconfig user still identifies the author
  }
  return cluster.identity.user ? `${user} (${cluster.identity.user})` : user;
}

async function ensureSystemNamespace(cluster: Cluster): Promise<void> {
  await applyObject(cluster, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY } },
  });
}

/**
 * Reads a release by lab and tag. Class operations take one so that a zone of a class over zones
 * reads the home cluster's releases, adapted to the zone (image mirror, storage class).
 */
export type ReleaseReader = (lab: string, tag: string) => Promise<Release>;

/** The releases stored in `cluster`. */
export const releasesIn =
  (cluster: Cluster): ReleaseReader =>
  (lab, tag) =>
    getRelease(cluster, lab, tag);

export async function getRelease(cluster: Cluster, labName: string, tag: string): Promise<Release> {
  const cm = await cluster.read(CONFIG_MAP, releaseName(labName, tag), SYSTEM_NAMESPACE);
  if (!cm) throw new KubeError('not-found', `no release ${labName}@${tag}; list the releases to see which exist`, { status: 404, hint: 'list-releases' });
  return decodeRelease(cm);
}

/** The releases in the cluster, as a list shows them (getRelease reads one whole, lab included). */
export async function listReleases(cluster: Cluster, labName?: string): Promise<ReleaseSummary[]> {
  const { items } = await cluster.list(CONFIG_MAP, { namespace: SYSTEM_NAMESPACE, labelSelector: releaseSelector(labName) });
  return items.map(decodeReleaseSummary).sort((a, b) => a.labName.localeCompare(b.labName) || a.createdAt.localeCompare(b.createdAt));
}

export { diffLabs, formatChange, type Change } from '../../common/lab/diff';

/** The next tag of the form vN that is not taken (v1 when none is). */
export function nextFreeTag(tags: readonly string[]): string {
  const taken = new Set(tags);
  let n = Math.max(0, ...tags.map((t) => /^v(\d+)$/.exec(t)?.[1]).filter((x): x is string => x !== undefined).map(Number)) + 1;
  while (taken.has(`v${n}`)) n++;
  return `v${n}`;
}
