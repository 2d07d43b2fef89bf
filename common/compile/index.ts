/**
 * compile(lab, target) → the Kubernetes objects of one namespace. Pure and deterministic: no
 * clock, no randomness, no I/O, a fixed object order, so the same input gives byte-identical
 * YAML and diffs between releases show only real changes.
 */
import { toYaml } from './yaml-out';
import type { NodeKind } from '../lab/node-kinds';
import { labSecurity } from '../lab/pod-security';
import type { Lab, LabNode } from '../lab/schema';
import { ANNOTATION, LABEL, MANAGED_BY } from './labels';
import { exposureHost } from './links';
import { joinLabel, studentKey } from './names';
import { networkPolicies } from './network-policy';
import { limitRangeLimits, quotaHard } from './resources';
import { studentRbac } from './rbac';
import type { CompileTarget, KubeObject } from './types';
import { virtualMachine } from './vm';
import { containerWorkload, nodeConfigMap, nodeService, podLabels } from './workloads';

/**
 * What runs each kind of node, by kind (common/lab/node-kinds.ts lists the kinds): typed over
 * NodeKind, so a new kind does not compile until it has its workload here.
 */
const WORKLOAD: Record<NodeKind, (lab: Lab, node: LabNode, meta: Parameters<typeof containerWorkload>[2], identity: Record<string, string>) => KubeObject> = {
  container: containerWorkload,
  vm: (_lab, node, meta, identity) => virtualMachine(node, meta, podLabels(node, identity)),
};

/**
 * A suspended node keeps its object (and so its claims, Service and links) with nothing running:
 * zero replicas, or a halted VM. Resuming is applying the release again without the suspension.
 */
function suspendedWorkload(w: KubeObject): KubeObject {
  const spec = w['spec'] as Record<string, unknown>;
  if (w.kind === 'VirtualMachine') return { ...w, spec: { ...spec, runStrategy: 'Halted' } };
  return { ...w, spec: { ...spec, replicas: 0 } };
}

export type { CompileTarget, KubeObject, Suspension, SuspendedBy } from './types';
export { SUSPENDED_BY } from './types';
export { DEFAULT_DOMAIN } from './types';
export { devNamespace, studentNamespace, studentKey } from './names';
export { LABEL, ANNOTATION, MANAGED_BY, networkLabel } from './labels';
export { labTotals, quotaHard } from './resources';

/** Ownership labels for every object of this target. */
export function identityLabels(lab: Lab, target: CompileTarget): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY, [LABEL.lab]: lab.metadata.name };
  if (target.class !== undefined) labels[LABEL.class] = target.class;
  if (target.student !== undefined) labels[LABEL.student] = studentKey(target.student);
  if (target.release !== undefined) labels[LABEL.release] = target.release;
  return labels;
}

export { exposureHost, exposureLinks, type ExposureLink } from './links';

export function compileLab(lab: Lab, target: CompileTarget): KubeObject[] {
  const ns = target.namespace;
  const identity = identityLabels(lab, target);
  const meta = (name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) => ({
    name,
    namespace: ns,
    labels: { ...identity, ...extra.labels },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  });
  const nodeMeta = (index: number) => (name: string) =>
    meta(name, { labels: { [LABEL.node]: lab.nodes[index]!.name }, annotations: { [ANNOTATION.source]: `nodes[${index}]` } });

  const nsAnnotations: Record<string, string> = {};
  if (lab.metadata.title) nsAnnotations[ANNOTATION.title] = lab.metadata.title;
  if (target.student !== undefined) nsAnnotations[ANNOTATION.studentId] = target.student;
  if (target.suspended) {
    nsAnnotations[ANNOTATION.suspendedAt] = target.suspended.at;
    nsAnnotations[ANNOTATION.suspendedBy] = target.suspended.by;
  }

  const out: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          ...identity,
          [LABEL.role]: target.student !== undefined ? 'student' : 'dev',
          // The least level that admits every node (common/lab/pod-security.ts): restricted unless the lab says why not.
          'pod-security.kubernetes.io/enforce': labSecurity(lab).level,
        },
        ...(Object.keys(nsAnnotations).length ? { annotations: nsAnnotations } : {}),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('labforge-quota'),
      spec: { hard: quotaHard(lab) },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('labforge-limits'),
      spec: { limits: limitRangeLimits(lab) },
    },
    ...networkPolicies(lab, meta, target.ingressNamespace ?? 'ingress-nginx'),
  ];

  if (target.student !== undefined) out.push(...studentRbac(meta, ns));

  lab.volumes.forEach((v, i) => {
    out.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(v.name, { annotations: { [ANNOTATION.source]: `volumes[${i}]` } }),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: v.size } },
        ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      },
    });
  });

  lab.nodes.forEach((node, i) => {
    const cm = nodeConfigMap(node, nodeMeta(i));
    if (cm) out.push(cm);
  });
  lab.nodes.forEach((node, i) => {
    out.push(nodeService(node, nodeMeta(i), { [LABEL.lab]: lab.metadata.name, [LABEL.node]: node.name }));
  });
  lab.nodes.forEach((node, i) => {
    const workload = WORKLOAD[node.kind](lab, node, nodeMeta(i), identity);
    out.push(target.suspended ? suspendedWorkload(workload) : workload);
  });

  lab.exposures.forEach((e, i) => {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(joinLabel(e.node, String(e.port)), {
        labels: { [LABEL.node]: e.node },
        annotations: { [ANNOTATION.source]: `exposures[${i}]` },
      }),
      spec: {
        ingressClassName: target.ingressClass ?? 'nginx',
        rules: [
          {
            host: exposureHost(e.node, e.port, ns, target.domain, target.linkKey),
            http: {
              paths: [{ path: e.path ?? '/', pathType: 'Prefix', backend: { service: { name: e.node, port: { number: e.port } } } }],
            },
          },
        ],
      },
    });
  });

  return out;
}

/** Multi-document YAML, one object per document, in compile order. */
export function objectsToYaml(objects: KubeObject[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}
