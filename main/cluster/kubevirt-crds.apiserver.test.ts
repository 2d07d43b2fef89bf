// The KubeVirt CRDs checked by the API server's own code, without a cluster: crdcheck
// (go/crdcheck) runs k8s.io/apiextensions-apiserver at the version the local cluster is built
// from. It validates the CRDs (structural schema, every CEL rule compiled, estimated costs within
// the budgets) and each object as a create would (pruning, schema, CEL rules). Skipped where Go
// or the cluster's Go modules are missing; CI builds the cluster first, so it runs there.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { editedVm, fuzzedVms, REFUSED_EDITS, shippedVms } from '../../test/helpers/kubevirt-vms';
import { kubevirtCrds } from './kubevirt-crds';

const BUILD = join(import.meta.dirname, 'go/crdcheck/build.sh');

function crdcheckBinary(): string | undefined {
  if (spawnSync('go', ['version']).status !== 0) return undefined;
  // Offline: with the modules the cluster build fetched, or not at all (then the test is skipped).
  const r = spawnSync('bash', [BUILD], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, GOPROXY: 'off' } });
  return r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
}

const bin = crdcheckBinary();

interface Result {
  crds: Record<string, string[]>;
  objects: { name: string; errors: string[] }[];
}

function check(objects: { name: string; obj: KubeObject }[]): Result {
  const input = { crds: kubevirtCrds, objects: objects.map((o) => ({ ...o, crd: o.obj.kind === 'VirtualMachine' ? 'virtualmachines.kubevirt.io' : 'virtualmachineinstances.kubevirt.io' })) };
  return JSON.parse(execFileSync(bin!, { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 })) as Result;
}

describe.skipIf(!bin)('KubeVirt CRDs, checked by apiextensions-apiserver', () => {
  it('are valid CRDs: structural, every rule compiles, costs within the budgets', () => {
    expect(check([]).crds).toEqual({ 'virtualmachines.kubevirt.io': [], 'virtualmachineinstances.kubevirt.io': [] });
  });

  it('accept every VM of the examples, templates and imports, and of 400 random valid labs (and one with dedicated CPUs)', () => {
    const dedicated = editedVm((s) => { s.template.spec.domain.cpu.dedicatedCpuPlacement = true; }).vm;
    const vms = [...shippedVms(), ...fuzzedVms(4242, 200), ...fuzzedVms(7, 200), { source: 'vm-lab with dedicated CPUs', vm: dedicated }];
    expect(vms.length).toBeGreaterThan(100);
    const refused = check(vms.map((v, i) => ({ name: `${v.source} #${i}`, obj: v.vm }))).objects.filter((o) => o.errors.length > 0);
    expect(refused).toEqual([]);
  }, 120_000);

  it.each(REFUSED_EDITS)('refuse %s', (name, edit, message) => {
    const [result] = check([{ name, obj: editedVm(edit).vm }]).objects;
    expect(result!.errors.join('\n')).toMatch(message);
  });

  it('refuse a VMI that asks for no memory, as KubeVirt does once its defaults apply', () => {
    const vmi = (domain: Record<string, unknown>): KubeObject => ({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' },
      spec: { domain: { devices: { disks: [{ name: 'root', disk: {} }] }, ...domain }, volumes: [{ name: 'root', containerDisk: { image: 'debian' } }] },
    });
    const [withMemory, without] = check([{ name: 'with', obj: vmi({ resources: { requests: { memory: '256Mi' } } }) }, { name: 'without', obj: vmi({}) }]).objects;
    expect(withMemory!.errors).toEqual([]);
    expect(without!.errors.join('\n')).toMatch(/no memory requested/);
  });
});
