/**
 * The kinds Labforge reads, typed with kubernetes-models' JSON shapes (timestamps are strings,
 * as on the wire), and a loose one for kinds whose schema we do not own.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { INode } from 'kubernetes-models/v1/Node';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { KubeObject } from '../../common/compile/types';
import { kindOf } from './cluster';

export type { IConfigMap, IDeployment, INamespace, INode, IPersistentVolumeClaim, IPod, IResourceQuota, ISecret, IStatefulSet };

/** KubeVirt's VirtualMachine, as far as Labforge reads it. */
export interface VirtualMachine extends KubeObject {
  status?: { ready?: boolean; printableStatus?: string };
}

export const NAMESPACE = kindOf<INamespace>('v1', 'Namespace');
export const NODE = kindOf<INode>('v1', 'Node');
export const POD = kindOf<IPod>('v1', 'Pod');
export const RESOURCE_QUOTA = kindOf<IResourceQuota>('v1', 'ResourceQuota');
export const CONFIG_MAP = kindOf<IConfigMap>('v1', 'ConfigMap');
export const SECRET = kindOf<ISecret>('v1', 'Secret');
export const PERSISTENT_VOLUME_CLAIM = kindOf<IPersistentVolumeClaim>('v1', 'PersistentVolumeClaim');
export const PERSISTENT_VOLUME = kindOf<IPersistentVolume>('v1', 'PersistentVolume');
export const DEPLOYMENT = kindOf<IDeployment>('apps/v1', 'Deployment');
export const STATEFUL_SET = kindOf<IStatefulSet>('apps/v1', 'StatefulSet');
export const VIRTUAL_MACHINE = kindOf<VirtualMachine>('kubevirt.io/v1', 'VirtualMachine');

/** The kind of an object, untyped: for objects whose kind is only known at run time. */
export const kindOfObject = (o: { apiVersion: string; kind: string }) => kindOf(o.apiVersion, o.kind);

/** `namespace/name` (or `name`), the key objects are stored and compared by. */
export const objectKey = (o: { metadata?: { name?: string; namespace?: string } }) =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`;
