/**
 * KubeVirt's VirtualMachine and VirtualMachineInstance CRDs (kubevirt.io/v1) for the local
 * cluster, with a structural schema (kubevirt-schema.ts) so the API server refuses what
 * KubeVirt would refuse. Installed only by our own `cluster up`: a cluster with real KubeVirt
 * has KubeVirt's CRDs and webhook, and Labforge talks to them the same way.
 *
 * As in KubeVirt, the top level has no preserve-unknown-fields: a field KubeVirt does not define
 * is pruned, and refused under strict field validation (which the preflight's dry-run asks for).
 */
import type { KubeObject } from '../../common/compile/types';
import { bool, list, obj, oneOf, opaque, str, vmiSpecSchema, type Rule, type Schema } from './kubevirt-schema';

/** The same strategies KubeVirt's webhook accepts (WaitAsReceiver needs a feature gate we do not have). */
export const RUN_STRATEGIES = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'] as const;

const RUN_RULES: Rule[] = [
  {
    rule: '!(has(self.running) && has(self.runStrategy))',
    message: 'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead',
    fieldPath: '.running',
  },
  { rule: 'has(self.running) || has(self.runStrategy)', message: 'RunStrategy must be specified', fieldPath: '.runStrategy', reason: 'FieldValueRequired' },
];

const matcher = obj({ kind: str(), name: str(), revisionName: str(), inferFromVolume: str(), inferFromVolumeFailurePolicy: oneOf('Reject', 'Ignore', 'RejectInferFromVolumeFailure', 'IgnoreInferFromVolumeFailure') });

const vmSpec: Schema = obj({
  running: bool,
  runStrategy: oneOf(...RUN_STRATEGIES),
  // KubeVirt keeps the template's metadata as it is (labels and annotations are copied to the VMI).
  template: obj({ metadata: opaque, spec: vmiSpecSchema }),
  instancetype: matcher,
  preference: matcher,
  // CDI's DataVolumes: not installed here, and Labforge does not compile them; kept unchecked.
  dataVolumeTemplates: list(obj({ apiVersion: str(), kind: str(), metadata: opaque, spec: opaque, status: opaque }, { required: ['spec'] })),
  updateVolumesStrategy: oneOf('Replacement', 'Migration'),
}, { required: ['template'], 'x-kubernetes-validations': RUN_RULES });

/**
 * Status is written by whatever runs the VMs (KubeVirt's controllers, or the local VM runner),
 * never by Labforge's compiler: kept unchecked so the runner can report what KubeVirt reports.
 */
const status = opaque;

function root(spec: Schema): Schema {
  return obj({ apiVersion: str(), kind: str(), metadata: { type: 'object' }, spec, status }, { required: ['spec'] });
}

interface CrdNames {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

function crd(names: CrdNames, spec: Schema, extra: { statusSubresource: boolean; columns: Record<string, unknown>[] }): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.kubevirt.io`, labels: { 'app.kubernetes.io/managed-by': 'labforge-cluster' } },
    spec: {
      group: 'kubevirt.io',
      scope: 'Namespaced',
      names: { ...names, listKind: `${names.kind}List`, categories: ['all'] },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        ...(extra.statusSubresource ? { subresources: { status: {} } } : {}),
        additionalPrinterColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }, ...extra.columns],
        schema: { openAPIV3Schema: root(spec) },
      }],
    },
  };
}

const ready = { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" };

/** VirtualMachine: like KubeVirt's, with a status subresource. */
export const virtualMachineCrd: KubeObject = crd(
  { kind: 'VirtualMachine', plural: 'virtualmachines', singular: 'virtualmachine', shortNames: ['vm', 'vms'] },
  vmSpec,
  { statusSubresource: true, columns: [{ name: 'Status', type: 'string', jsonPath: '.status.printableStatus' }, ready] },
);

/**
 * VirtualMachineInstance: like KubeVirt's, without a status subresource (KubeVirt's handlers
 * write a VMI's status with the object). Memory must be given, as KubeVirt requires of a VMI
 * once its defaults are applied (a VM's template may leave it to an instancetype).
 */
export const virtualMachineInstanceCrd: KubeObject = crd(
  { kind: 'VirtualMachineInstance', plural: 'virtualmachineinstances', singular: 'virtualmachineinstance', shortNames: ['vmi', 'vmis'] },
  {
    ...vmiSpecSchema,
    'x-kubernetes-validations': [...(vmiSpecSchema['x-kubernetes-validations'] ?? []), {
      rule: "(has(self.domain.resources) && ((has(self.domain.resources.requests) && 'memory' in self.domain.resources.requests) || (has(self.domain.resources.limits) && 'memory' in self.domain.resources.limits))) || (has(self.domain.memory) && (has(self.domain.memory.guest) || has(self.domain.memory.hugepages)))",
      message: "no memory requested, at least one of 'domain.memory.guest', 'domain.memory.hugepages.pageSize' or 'domain.resources.requests.memory' must be set",
      fieldPath: '.domain',
      reason: 'FieldValueRequired',
    }],
  },
  { statusSubresource: false, columns: [{ name: 'Phase', type: 'string', jsonPath: '.status.phase' }, { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName' }, ready] },
);

export const kubevirtCrds: KubeObject[] = [virtualMachineCrd, virtualMachineInstanceCrd];
