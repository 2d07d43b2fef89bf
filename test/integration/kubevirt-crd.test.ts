// KubeVirt's API as the local cluster checks it (main/cluster/kubevirt-crds.ts): every VM
// Labforge compiles is accepted by the API server, and a VM spec KubeVirt would refuse is
// refused at preflight, placed on the lab node it came from, with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLab } from '../../common/compile';
import type { KubeObject } from '../../common/compile/types';
import type { Lab } from '../../common/lab';
import { kubevirtCrds } from '../../main/cluster/kubevirt-crds';
import { deploy } from '../../main/engine/deploy';
import { applyObject, preflight, PreflightError, sourceNamer } from '../../main/kube/apply';
import { kindOf } from '../../main/kube/cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { editedVm, REFUSED_EDITS, shippedVms } from '../helpers/kubevirt-vms';
import { adminCluster, exampleLab, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const CRD = kindOf<KubeObject & { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] }; status?: { conditions?: { type: string; status: string }[] } }>(
  'apiextensions.k8s.io/v1', 'CustomResourceDefinition',
);

const SHARED = process.env['LABFORGE_SHARED_CLUSTER'] === '1';
/** On a shared cluster, the CRDs to put back (or the names to delete) after the tests. */
const restore: (KubeObject | string)[] = [];
let cluster: HttpCluster;
const namespace = `kv-${randomId()}`;

beforeAll(async () => {
  cluster = adminCluster();
  // A cluster shared with another checkout was brought up by that checkout's code: install this
  // checkout's CRDs as its `cluster up` would (server-side apply, idempotent), and put back what
  // was there afterwards, so the other checkout's tests meet the cluster they brought up.
  if (SHARED) {
    for (const crd of kubevirtCrds) {
      const before = await cluster.read(CRD, crd.metadata.name);
      restore.push(before ? { ...before, metadata: { name: before.metadata.name, labels: before.metadata.labels ?? {} }, status: undefined } : crd.metadata.name);
      await applyObject(cluster, crd);
    }
    for (let i = 0; i < 100; i++) {
      const all = await Promise.all(kubevirtCrds.map((c) => cluster.read(CRD, c.metadata.name)));
      if (all.every((c) => c?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'labforge.dev/test': 'integration' } } });
});

afterAll(async () => {
  await cluster.delete(NAMESPACE, namespace).catch(() => undefined);
  for (const r of restore) await (typeof r === 'string' ? cluster.delete(CRD, r) : applyObject(cluster, r)).catch(() => undefined);
  cluster.close();
});

function vmOf(lab: Lab): KubeObject {
  return compileLab(lab, { namespace }).find((o) => o.kind === 'VirtualMachine')!;
}

/** The refusal preflight gives one edited VM of the vm-lab example. */
async function refusal(edit: (spec: any) => void) {
  const { lab, vm } = editedVm(edit, namespace);
  const err = await preflight(cluster, [vm], sourceNamer(lab)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PreflightError);
  const problems = (err as PreflightError).problems;
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('the local cluster serves KubeVirt\'s CRDs with their schema', () => {
  it('as cluster up installs them', async () => {
    for (const want of kubevirtCrds) {
      const served = await cluster.read(CRD, want.metadata.name);
      const schema = (want['spec'] as { versions: { schema: { openAPIV3Schema: unknown } }[] }).versions[0]!.schema.openAPIV3Schema;
      expect(served?.spec.versions[0]?.schema.openAPIV3Schema).toEqual(schema);
    }
  });

  it('accepts every VM the examples, templates and imports compile to (server-side dry-run)', async () => {
    const vms = shippedVms(namespace);
    expect(vms.length).toBeGreaterThan(0);
    for (const { vm } of vms) await cluster.apply(vm, { dryRun: true });
  });

  it('prunes nothing from a compiled VM: what Labforge sends is what KubeVirt gets', async () => {
    const vm = vmOf(exampleLab('vm-lab.yaml'));
    const echoed = await cluster.apply(vm, { dryRun: true });
    expect(echoed['spec']).toEqual(vm['spec']);
  });
});

describe('a VM spec KubeVirt would refuse is refused at preflight, on its lab node', () => {
  it.each(REFUSED_EDITS)('%s', async (_name, edit, message) => {
    const p = await refusal(edit);
    expect(p).toMatchObject({ object: expect.stringMatching(/^VirtualMachine\//), source: 'node "server"' });
    expect(p.path.slice(0, 2)).toEqual(['nodes', 0]);
    expect(p.message).toMatch(message);
  });

  it('positions a refusal of the guest\'s resources at the node\'s resources', async () => {
    const p = await refusal((s) => { s.template.spec.domain.resources.limits.memory = '1Gi'; });
    expect(p.message).toMatch(/requests\.memory 2Gi is greater than limits\.memory 1Gi/);
    expect(p.path).toEqual(['nodes', 0, 'resources']);
  });

  it('deploy of a valid lab whose VM KubeVirt would refuse writes nothing', async () => {
    // Valid as a lab (no request is below its limit), but the VM's request is the 1Gi default
    // and its limit 512Mi: KubeVirt refuses requests above limits.
    const lab = uniqueLab(exampleLab('vm-lab.yaml'), 'kv');
    lab.nodes[0]!.resources = { limits: { memory: '512Mi' } };
    const target = `kv-${randomId()}`;
    const err = await deploy(cluster, lab, { namespace: target }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    const p = (err as PreflightError).problems.find((x) => x.object.startsWith('VirtualMachine/'));
    expect(p).toMatchObject({ source: 'node "server"', path: ['nodes', 0, 'resources'] });
    expect((err as Error).message).toContain('nothing was written');
    expect(await cluster.read(NAMESPACE, target)).toBeUndefined();
  });
});

describe('VirtualMachineInstance', () => {
  const vmi = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: `vmi-${randomId(3)}`, namespace }, spec,
  });
  const devices = { disks: [{ name: 'root', disk: { bus: 'virtio' } }] };
  const volumes = [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/debian:12' } }];

  it('accepts a VMI with memory, and refuses one without, as KubeVirt does once defaults are applied', async () => {
    await cluster.apply(vmi({ domain: { devices, resources: { requests: { memory: '256Mi' } } }, volumes }), { dryRun: true });
    await expect(cluster.apply(vmi({ domain: { devices }, volumes }), { dryRun: true })).rejects.toThrow(/no memory requested/);
  });
});
