// The local volume provisioner: gives the cluster a default StorageClass that works, so
// PersistentVolumeClaims bind and StatefulSets with volumes start, as on any real cluster.
//
// For every pending claim of our StorageClass it creates a hostPath PersistentVolume under
// `<root>/<namespace>/<claim>-<uid>` that is pre-bound to the claim (claimRef), and the
// controller-manager's PV binder completes the binding. A claim whose pods land on the real node
// gets a filesystem of its own of the claim's size there (sized-volume.ts), so its size holds;
// kwok's pods never write, so theirs is a plain folder. When a claim is deleted its volume is
// Released; we then delete the volume and its directory (reclaim policy Delete). It runs inside
// the cluster's agent process.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IPersistentVolume as V1PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim as V1PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { KubeObject } from '../../../common/compile/types';
import type { Cluster } from '../../kube/cluster';
import { parseQuantity } from '../../../common/lab/quantity';
import { KubeError } from '../../kube/errors';
import { NAMESPACE, NODE, PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM } from '../../kube/kinds';
import { Reflector } from '../../kube/reflector';
import { REAL_NODE } from '../node/config';
import { NODE_SELECTOR_ANNOTATION, REAL_SELECTOR, REAL_TAINT, SIMULATED_SELECTOR } from '../node/placement';
import { ensureSizedVolume, removeSizedVolume, unmountedImages } from './sized-volume';

const STORAGE_CLASS = 'labforge-local';
const PROVISIONER = 'labforge.dev/local-volume';
/** On a volume with a filesystem of its own (its reclaim unmounts it and removes its image). */
const SIZED_ANNOTATION = 'labforge.dev/sized';

export const storageClass: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: PROVISIONER,
  reclaimPolicy: 'Delete',
  // Immediate: kwok nodes have no real disks, so there is no topology to wait for.
  volumeBindingMode: 'Immediate',
  allowVolumeExpansion: true,
};

function volumeName(claim: V1PersistentVolumeClaim): string {
  return `pvc-${claim.metadata!.uid}`;
}

/** Whether the claim's pods land on the real node: its namespace's placement, else the cluster's (the real node is untainted when it is the default). */
async function onRealNode(cluster: Cluster, namespace: string): Promise<boolean> {
  const selector = (await cluster.read(NAMESPACE, namespace))?.metadata?.annotations?.[NODE_SELECTOR_ANNOTATION];
  if (selector === REAL_SELECTOR) return true;
  if (selector === SIMULATED_SELECTOR) return false;
  const node = await cluster.read(NODE, REAL_NODE.name);
  return !!node && !(node.spec?.taints ?? []).some((t) => t.key === REAL_TAINT.key);
}

function volumeFor(root: string, claim: V1PersistentVolumeClaim, sized: boolean): V1PersistentVolume {
  const ns = claim.metadata!.namespace!;
  const name = claim.metadata!.name!;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName(claim),
      labels: { 'app.kubernetes.io/managed-by': 'labforge-volume-provisioner' },
      annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER, ...(sized ? { [SIZED_ANNOTATION]: 'true' } : {}) },
    },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.['storage'] ?? '1Gi' },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: STORAGE_CLASS,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid: claim.metadata!.uid },
      hostPath: { path: join(root, ns, `${name}-${claim.metadata!.uid}`), type: 'DirectoryOrCreate' },
    },
  };
}

const ours = (claim: V1PersistentVolumeClaim) => (claim.spec?.storageClassName ?? STORAGE_CLASS) === STORAGE_CLASS;

/** Watches claims and volumes (kube/reflector.ts) and provisions or reclaims on every change. */
export async function startVolumeProvisioner(cluster: Cluster, root: string, log: (msg: string) => void): Promise<{ stop: () => Promise<void>; healthy: () => boolean }> {
  await mkdir(root, { recursive: true });
  // After the host restarted, the volumes' filesystems are there but not mounted.
  for (const dir of await unmountedImages(root)) {
    await ensureSizedVolume(dir, 0).then(() => log(`mounted ${dir} again`), (err: Error) => log(`mounting ${dir}: ${err.message}`));
  }
  const inFlight = new Set<string>();
  let healthy = false;

  const provision = async (claim: V1PersistentVolumeClaim) => {
    const uid = claim.metadata?.uid;
    if (!uid || claim.spec?.volumeName || claim.status?.phase === 'Bound' || claim.metadata?.deletionTimestamp || !ours(claim)) return;
    if (inFlight.has(uid)) return;
    inFlight.add(uid);
    try {
      const sized = await onRealNode(cluster, claim.metadata!.namespace!);
      const pv = volumeFor(root, claim, sized);
      const dir = pv.spec!.hostPath!.path;
      if (sized) await ensureSizedVolume(dir, parseQuantity(String(pv.spec!.capacity!['storage']))!);
      else await mkdir(dir, { recursive: true });
      await cluster.create(pv as KubeObject);
      log(`provisioned ${pv.metadata!.name} for ${claim.metadata!.namespace}/${claim.metadata!.name}${sized ? ` (a ${String(pv.spec!.capacity!['storage'])} filesystem of its own)` : ''}`);
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'conflict')) log(`provisioning ${claim.metadata?.namespace}/${claim.metadata?.name}: ${(err as Error).message}`);
    } finally {
      inFlight.delete(uid);
    }
  };

  const reclaim = async (pv: V1PersistentVolume) => {
    if (pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.metadata?.deletionTimestamp) return;
    const name = pv.metadata.name!;
    // One reclaim per volume at a time: every change re-reads the whole map.
    if (inFlight.has(name)) return;
    inFlight.add(name);
    try {
      // Gone already (someone else reclaimed it): nothing left to do.
      if (!(await cluster.delete(PERSISTENT_VOLUME, name))) return;
      const dir = pv.spec?.hostPath?.path;
      if (dir?.startsWith(root)) {
        if (pv.metadata.annotations[SIZED_ANNOTATION] === 'true') await removeSizedVolume(dir);
        else await rm(dir, { recursive: true, force: true });
      }
      log(`reclaimed ${name}`);
    } catch (err) {
      log(`reclaiming ${name}: ${(err as Error).message}`);
    } finally {
      inFlight.delete(name);
    }
  };

  const watching = {
    onWatch: () => (healthy = true),
    onError: (err: KubeError) => {
      healthy = false;
      log(`volume watch failed (${err.message}); it resumes by itself`);
    },
  };
  const claims: Reflector<V1PersistentVolumeClaim> = new Reflector(cluster, { kind: PERSISTENT_VOLUME_CLAIM, ...watching, onChange: () => claims.items.forEach((c) => void provision(c)) });
  const volumes: Reflector<V1PersistentVolume> = new Reflector(cluster, { kind: PERSISTENT_VOLUME, ...watching, onChange: () => volumes.items.forEach((v) => void reclaim(v)) });
  await claims.start();
  await volumes.start();
  log(`provisioning volumes of StorageClass ${STORAGE_CLASS} under ${root}`);
  return {
    stop: async () => {
      claims.stop();
      volumes.stop();
    },
    healthy: () => healthy,
  };
}
