/**
 * Releases: immutable snapshots of what runs in dev, stored in the cluster as immutable
 * ConfigMaps in `labforge-system`, so every instructor machine sees the same ones.
 *
 * A release holds the lab with image references pinned to the digests the dev pods report,
 * the compiled template, the image table, and who made it when.
 */
import { userInfo } from 'node:os';
import { compileLab, devNamespace, LABEL, MANAGED_BY, objectsToYaml } from '../../common/compile';
import { parseLab, serializeLab, type Lab } from '../../common/lab';
import { applyObject } from '../kube/apply';
import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { LAB_RECORD } from './owned';
import { nodeStatuses } from './node-status';

export const SYSTEM_NAMESPACE = 'labforge-system';
const COMPONENT = 'app.kubernetes.io/component';

export interface PinnedImage {
  node: string;
  image: string;
  /** image@sha256:…, or undefined when the cluster reported no digest for it. */
  pinned?: string;
}

export interface Release {
  lab: Lab;
  labName: string;
  tag: string;
  createdAt: string;
  author: string;
  images: PinnedImage[];
  template: string;
}

export const releaseName = (lab: string, tag: string) => `release-${lab}-${tag}`;

/** Reads the lab recorded in a dev namespace by `deploy`. */
export async function deployedLab(client: KubeClient, namespace: string): Promise<Lab> {
  let cm;
  try {
    cm = await client.core.readNamespacedConfigMap({ name: LAB_RECORD, namespace });
  } catch (err) {
    const e = client.error(err);
    if (e.kind === 'not-found') throw new KubeError('not-found', `no lab is deployed in namespace ${namespace}; run \`labforge deploy <lab>\` first`);
    throw e;
  }
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

export async function pinnedImages(client: KubeClient, namespace: string, lab: Lab): Promise<PinnedImage[]> {
  const pods = (await client.core.listNamespacedPod({ namespace, labelSelector: `${LABEL.lab}=${lab.metadata.name}` })).items;
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
  /** The lab the user named by file; must match what dev runs unless --force. */
  fileLab?: Lab;
  labName?: string;
  author?: string;
  now?: Date;
}

export async function snapshot(client: KubeClient, tag: string, opts: SnapshotOptions): Promise<Release> {
  const labName = opts.fileLab?.metadata.name ?? opts.labName;
  if (!labName) throw new KubeError('invalid', 'name the lab by file or by name');
  const namespace = opts.namespace ?? devNamespace(labName);
  const lab = await deployedLab(client, namespace);

  if (opts.fileLab && serializeLab(opts.fileLab) !== serializeLab(lab) && !opts.force) {
    throw new KubeError('conflict', `dev (${namespace}) runs a different version of ${labName} than the file; deploy the file first, or pass --force to snapshot what dev runs`);
  }
  const statuses = await nodeStatuses(client, namespace, lab);
  const unhealthy = statuses.filter((s) => !s.ready);
  if (unhealthy.length > 0 && !opts.force) {
    throw new KubeError('conflict', `dev is not healthy (${unhealthy.map((s) => `${s.node}: ${s.message ?? s.state}`).join('; ')}); fix it, or pass --force to snapshot anyway`);
  }

  const images = await pinnedImages(client, namespace, lab);
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
    author: opts.author ?? defaultAuthor(client),
    images,
    template: objectsToYaml(compileLab(pinnedLab, { namespace: 'release-template', release: tag })),
  };

  await ensureSystemNamespace(client);
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: releaseName(labName, tag),
      namespace: SYSTEM_NAMESPACE,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.lab]: labName, [LABEL.release]: tag, [COMPONENT]: 'release' },
      annotations: { 'labforge.dev/created-at': release.createdAt, 'labforge.dev/author': release.author },
    },
    // The API server itself then refuses any change to the release.
    immutable: true,
    data: {
      'lab.yaml': serializeLab(pinnedLab),
      'template.yaml': release.template,
      'images.json': JSON.stringify(images, null, 2),
    },
  };
  try {
    // Create, not apply: an existing tag must fail rather than be overwritten.
    await client.core.createNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, body });
  } catch (err) {
    const e = client.error(err, `storing release ${tag}`);
    if (e.status === 409) throw new KubeError('conflict', `release ${labName}@${tag} already exists; releases are immutable, pick a new tag`, 409);
    throw e;
  }
  return release;
}

function defaultAuthor(client: KubeClient): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no local user (containers); the kubeconfig user still identifies the author
  }
  return client.user ? `${user} (${client.user})` : user;
}

async function ensureSystemNamespace(client: KubeClient): Promise<void> {
  await applyObject(client, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY } },
  });
}

function fromConfigMap(cm: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string> }): Release {
  const r = parseLab(cm.data?.['lab.yaml'] ?? '');
  if (!r.ok) throw new KubeError('invalid', `release ${cm.metadata?.labels?.[LABEL.release]} holds an invalid lab`);
  return {
    lab: r.lab,
    labName: cm.metadata?.labels?.[LABEL.lab] ?? r.lab.metadata.name,
    tag: cm.metadata?.labels?.[LABEL.release] ?? '',
    createdAt: cm.metadata?.annotations?.['labforge.dev/created-at'] ?? '',
    author: cm.metadata?.annotations?.['labforge.dev/author'] ?? '',
    images: JSON.parse(cm.data?.['images.json'] ?? '[]') as PinnedImage[],
    template: cm.data?.['template.yaml'] ?? '',
  };
}

export async function getRelease(client: KubeClient, labName: string, tag: string): Promise<Release> {
  try {
    return fromConfigMap(await client.core.readNamespacedConfigMap({ name: releaseName(labName, tag), namespace: SYSTEM_NAMESPACE }));
  } catch (err) {
    const e = client.error(err);
    if (e.kind === 'not-found') throw new KubeError('not-found', `no release ${labName}@${tag}; list them with \`labforge releases\``, 404);
    throw e;
  }
}

export async function listReleases(client: KubeClient, labName?: string): Promise<Release[]> {
  let items;
  try {
    items = (
      await client.core.listNamespacedConfigMap({
        namespace: SYSTEM_NAMESPACE,
        labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${COMPONENT}=release${labName ? `,${LABEL.lab}=${labName}` : ''}`,
      })
    ).items;
  } catch (err) {
    const e = client.error(err);
    if (e.kind === 'not-found') return [];
    throw e;
  }
  return items.map(fromConfigMap).sort((a, b) => a.labName.localeCompare(b.labName) || a.createdAt.localeCompare(b.createdAt));
}

export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * What changed between two releases, as paths into the lab. Nodes, networks and volumes are
 * matched by name, so reordering is not a change and a renamed node shows as remove + add.
 */
export function diffLabs(a: Lab, b: Lab): Change[] {
  const keyed = (lab: Lab) => {
    const { layout: _layout, ...rest } = lab;
    const byName = <T extends { name: string }>(xs: T[]) => Object.fromEntries(xs.map((x) => [x.name, x]));
    return {
      ...rest,
      nodes: byName(lab.nodes),
      networks: byName(lab.networks),
      volumes: byName(lab.volumes),
      exposures: Object.fromEntries(lab.exposures.map((e) => [`${e.node}:${e.port}`, e])),
    };
  };
  const changes: Change[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(x) && isObj(y)) {
      const keys = [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    changes.push({ path, ...(x !== undefined ? { from: x } : {}), ...(y !== undefined ? { to: y } : {}) });
  };
  walk(keyed(a), keyed(b), '');
  return changes;
}

export function formatChange(c: Change): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.from === undefined) return `+ ${c.path}: ${show(c.to)}`;
  if (c.to === undefined) return `- ${c.path}: ${show(c.from)}`;
  return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
}
