// The local volume provisioner: gives the cluster a default StorageClass that works, so
// PersistentVolumeClaims bind and StatefulSets with volumes start, as on any real cluster.
//
// For every pending claim of our StorageClass it creates a hostPath PersistentVolume under
// `<root>/<namespace>/<claim>-<uid>` that is pre-bound to the claim (claimRef), and the
// controller-manager's PV binder completes the binding. When a claim is deleted its volume is
// Released; we then delete the volume and its directory (reclaim policy Delete). It runs inside
// the cluster's agent process next to the exec sandbox controller.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../../common/compile/types';
import { CoreV1Api, makeInformer, type KubeConfig, type V1PersistentVolume, type V1PersistentVolumeClaim } from '@kubernetes/client-node';

const STORAGE_CLASS = 'labforge-local';
const PROVISIONER = 'labforge.dev/local-volume';

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

function volumeFor(root: string, claim: V1PersistentVolumeClaim): V1PersistentVolume {
  const ns = claim.metadata!.namespace!;
  const name = claim.metadata!.name!;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName(claim),
      labels: { 'app.kubernetes.io/managed-by': 'labforge-volume-provisioner' },
      annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER },
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

export async function startVolumeProvisioner(kc: KubeConfig, root: string, log: (msg: string) => void): Promise<{ stop: () => Promise<void>; healthy: () => boolean }> {
  const core = kc.makeApiClient(CoreV1Api);
  await mkdir(root, { recursive: true });
  const inFlight = new Set<string>();
  let healthy = false;

  const provision = async (claim: V1PersistentVolumeClaim) => {
    const uid = claim.metadata?.uid;
    if (!uid || claim.spec?.volumeName || claim.status?.phase === 'Bound' || claim.metadata?.deletionTimestamp || !ours(claim)) return;
    if (inFlight.has(uid)) return;
    inFlight.add(uid);
    try {
      const pv = volumeFor(root, claim);
      await mkdir(pv.spec!.hostPath!.path, { recursive: true });
      await core.createPersistentVolume({ body: pv });
      log(`provisioned ${pv.metadata!.name} for ${claim.metadata!.namespace}/${claim.metadata!.name}`);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) log(`provisioning ${claim.metadata?.namespace}/${claim.metadata?.name}: ${(err as Error).message}`);
    } finally {
      inFlight.delete(uid);
    }
  };

  const reclaim = async (pv: V1PersistentVolume) => {
    if (pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.metadata?.deletionTimestamp) return;
    try {
      await core.deletePersistentVolume({ name: pv.metadata.name! });
      if (pv.spec?.hostPath?.path?.startsWith(root)) await rm(pv.spec.hostPath.path, { recursive: true, force: true });
      log(`reclaimed ${pv.metadata.name}`);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) log(`reclaiming ${pv.metadata?.name}: ${(err as Error).message}`);
    }
  };

  const claims = makeInformer(kc, '/api/v1/persistentvolumeclaims', () => core.listPersistentVolumeClaimForAllNamespaces());
  claims.on('add', (c) => void provision(c));
  claims.on('update', (c) => void provision(c));
  const volumes = makeInformer(kc, '/api/v1/persistentvolumes', () => core.listPersistentVolume());
  volumes.on('add', (v) => void reclaim(v));
  volumes.on('update', (v) => void reclaim(v));
  for (const inf of [claims, volumes]) {
    inf.on('connect', () => (healthy = true));
    inf.on('error', (err: unknown) => {
      healthy = false;
      log(`volume watch failed (${err instanceof Error ? err.message : String(err)}); restarting in 1s`);
      setTimeout(() => void inf.start().catch(() => {}), 1000);
    });
  }
  await claims.start();
  await volumes.start();
  log(`provisioning volumes of StorageClass ${STORAGE_CLASS} under ${root}`);
  return {
    stop: async () => {
      await claims.stop();
      await volumes.stop();
    },
    healthy: () => healthy,
  };
}
