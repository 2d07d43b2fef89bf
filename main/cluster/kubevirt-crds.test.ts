import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { shippedLabs, shippedVms } from '../../test/helpers/kubevirt-vms';
import { nonStructural, opaquePaths, structuralErrors } from '../../test/helpers/structural-schema';
import { kubevirtCrds, virtualMachineCrd, virtualMachineInstanceCrd } from './kubevirt-crds';
import type { Schema } from './kubevirt-schema';

function rootSchema(crd: KubeObject): Schema {
  const spec = crd['spec'] as { versions: { schema: { openAPIV3Schema: Schema } }[] };
  return spec.versions[0]!.schema.openAPIV3Schema;
}

const vmSchema = rootSchema(virtualMachineCrd);
const compiledVms = shippedVms();

describe('KubeVirt CRDs', () => {
  it('are structural: every field typed, arrays with items, no unknown fields kept at the top', () => {
    for (const crd of kubevirtCrds) {
      const root = rootSchema(crd);
      expect(nonStructural(root), crd.metadata.name).toEqual([]);
      expect(root['x-kubernetes-preserve-unknown-fields']).toBeUndefined();
      const opaque = opaquePaths(root);
      // The compiled parts are all checked: nothing under the domain's devices, disks,
      // interfaces, networks or volumes (other than their documented unchecked leaves) is opaque.
      const spec = crd.metadata.name === 'virtualmachines.kubevirt.io' ? '.spec.template.spec' : '.spec';
      expect(opaque).not.toContain(spec);
      expect(opaque.filter((p) => /\.(devices|disks|interfaces|networks|volumes|resources|cpu)$/.test(p))).toEqual([]);
    }
  });

  it('serve KubeVirt\'s names: kubevirt.io/v1, vm/vmi short names', () => {
    expect(virtualMachineCrd.metadata.name).toBe('virtualmachines.kubevirt.io');
    expect(virtualMachineInstanceCrd.metadata.name).toBe('virtualmachineinstances.kubevirt.io');
    expect((virtualMachineCrd['spec'] as { names: { shortNames: string[] } }).names.shortNames).toEqual(['vm', 'vms']);
  });

  it('bound every list a CEL rule walks (the API server refuses rules it cannot bound)', () => {
    const unbounded: string[] = [];
    const walk = (s: Schema, path: string, underRule: boolean) => {
      const ruled = underRule || (s['x-kubernetes-validations']?.length ?? 0) > 0;
      if (s.type === 'array' && ruled && s.maxItems === undefined && s['x-kubernetes-validations']) unbounded.push(path);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`, ruled);
      if (s.items) walk(s.items, `${path}[]`, ruled);
    };
    walk(vmSchema, '', false);
    expect(unbounded).toEqual([]);
  });
});

describe('every VM Labforge compiles fits the schema', () => {
  it('covers the VM examples and templates (imports make containers only)', () => {
    expect(shippedLabs().filter((l) => l.source.startsWith('import/')).length).toBeGreaterThan(5);
    const sources = new Set(compiledVms.map((v) => v.source));
    expect([...sources].sort()).toEqual(['examples/vm-lab.yaml', 'templates/vm', 'templates/vm (sized)']);
  });

  it.each(compiledVms.map((v, i) => [`${v.source} #${i}`, v.vm] as const))('%s', (_name, vm) => {
    expect(structuralErrors(vmSchema, vm)).toEqual([]);
  });
});

describe('the schema refuses what KubeVirt\'s schema refuses', () => {
  const base = compiledVms[0]!.vm;
  const variant = (edit: (spec: any) => void): KubeObject => {
    const copy = structuredClone(base);
    edit(copy['spec']);
    return copy;
  };

  it.each([
    ['an unknown run strategy', (s: any) => { s.runStrategy = 'Sometimes'; }, /runStrategy: "Sometimes" is not one of/],
    ['a field KubeVirt does not define', (s: any) => { s.template.spec.domain.devices.disks[0].disk.speed = 'fast'; }, /disks\[0\]\.disk\.speed: unknown field/],
    ['a disk bus KubeVirt does not support (ide)', (s: any) => { s.template.spec.domain.devices.disks[0].disk.bus = 'ide'; }, /bus: "ide" is not one of/],
    ['a containerDisk without image', (s: any) => { delete s.template.spec.volumes[0].containerDisk.image; }, /containerDisk\.image: required/],
    ['cores as a string', (s: any) => { s.template.spec.domain.cpu.cores = '2'; }, /cpu\.cores: must be integer/],
    ['a memory request that is not a quantity', (s: any) => { s.template.spec.domain.resources.requests.memory = 'lots'; }, /requests\.memory: "lots" does not match/],
    ['a hostname that is not a DNS label', (s: any) => { s.template.spec.hostname = 'Web_1'; }, /hostname: "Web_1" does not match/],
    ['a feature-gated field (hostDisk)', (s: any) => { s.template.spec.volumes[0] = { name: 'rootdisk', hostDisk: { path: '/x', type: 'Disk' } }; }, /hostDisk: unknown field/],
  ])('%s', (_name, edit, message) => {
    expect(structuralErrors(vmSchema, variant(edit)).join('\n')).toMatch(message);
  });

  it('has the webhook\'s cross-field refusals as rules (evaluated by the API server)', () => {
    const rules = JSON.stringify(virtualMachineCrd);
    for (const m of ['Running and RunStrategy are mutually exclusive', 'names no volume', 'names no network', 'must have exactly one source type set',
      'exactly one binding method', 'is greater than limits', 'byte limit', 'Masquerade interface only implemented with pod network']) {
      expect(rules).toContain(m);
    }
  });
});
