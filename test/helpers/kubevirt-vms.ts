// The VMs Labforge compiles (examples, templates as created and sized, import fixtures, random
// valid labs) and edits of one of them that KubeVirt refuses, with the words of the refusal:
// shared by the schema's unit tests and the integration test against the API server.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileLab } from '../../common/compile';
import type { KubeObject } from '../../common/compile/types';
import { importCompose, importContainerlab } from '../../common/import';
import { parseLab, serializeLab, type Lab } from '../../common/lab';
import { applyTemplateOptions, loadTemplates } from '../../main/templates';
import { randomValidLab, seededRng } from './lab-fuzz';

const ROOT = join(import.meta.dirname, '../..');

function parsed(text: string, what: string): Lab {
  const r = parseLab(text);
  if (!r.ok) throw new Error(`${what}: ${r.issues[0]?.message}`);
  return r.lab;
}

/** Every lab the project ships or makes: examples, templates (as created and sized), imports. */
export function shippedLabs(): { source: string; lab: Lab }[] {
  const out: { source: string; lab: Lab }[] = [];
  const examples = join(ROOT, 'resources/examples');
  for (const f of readdirSync(examples).filter((n) => n.endsWith('.yaml'))) {
    out.push({ source: `examples/${f}`, lab: parsed(readFileSync(join(examples, f), 'utf8'), f) });
  }
  for (const { name, lab } of loadTemplates()) {
    out.push({ source: `templates/${name}`, lab });
    // What `labforge create vm --cpu 500m --memory 3Gi --disk 20Gi` makes of it.
    out.push({ source: `templates/${name} (sized)`, lab: applyTemplateOptions(lab, { cpu: '500m', memory: '3Gi', disk: '20Gi' }) });
  }
  const fixtures = join(ROOT, 'test/fixtures/import');
  for (const dir of ['compose', 'containerlab']) {
    for (const f of readdirSync(join(fixtures, dir))) {
      const text = readFileSync(join(fixtures, dir, f), 'utf8');
      const r = dir === 'compose' ? importCompose(text, f) : importContainerlab(text, f);
      if (r.ok) out.push({ source: `import/${dir}/${f}`, lab: parsed(JSON.stringify(r.lab), f) });
    }
  }
  return out;
}

const vmsOf = (lab: Lab, namespace: string) => [
  ...compileLab(lab, { namespace }),
  ...compileLab(lab, { namespace, class: 'c1', student: 'ada@uni.example', release: 'v1' }),
].filter((o) => o.kind === 'VirtualMachine');

/** The VMs of the shipped labs, for a dev namespace and for a student. */
export function shippedVms(namespace = 'dev'): { source: string; vm: KubeObject }[] {
  return shippedLabs().flatMap(({ source, lab }) => vmsOf(lab, namespace).map((vm) => ({ source, vm })));
}

/** The VMs of `count` random valid labs (test/helpers/lab-fuzz.ts). */
export function fuzzedVms(seed: number, count: number): { source: string; vm: KubeObject }[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, (_, i) => ({ i, lab: parsed(serializeLab(randomValidLab(rng)), `seed ${seed} lab ${i}`) }))
    .flatMap(({ i, lab }) => vmsOf(lab, 'dev').map((vm) => ({ source: `seed ${seed} lab ${i}`, vm })));
}

type Edit = (spec: any) => void;

/** Edits of the vm-lab example's VM (node "server", nodes[0]) that KubeVirt refuses. */
export const REFUSED_EDITS: [string, Edit, RegExp][] = [
  ['running and runStrategy both set', (s) => { s.running = true; }, /Running and RunStrategy are mutually exclusive/],
  ['neither running nor runStrategy', (s) => { delete s.runStrategy; }, /RunStrategy must be specified/],
  ['a run strategy KubeVirt does not know', (s) => { s.runStrategy = 'Sometimes'; }, /Unsupported value: "Sometimes"/],
  ['a disk naming no volume', (s) => { s.template.spec.domain.devices.disks.push({ name: 'extra', disk: { bus: 'virtio' } }); }, /a disk names no volume/],
  ['a volume with no disk', (s) => { s.template.spec.volumes.push({ name: 'orphan', emptyDisk: { capacity: '1Gi' } }); }, /a volume is not found among disks/],
  ['an interface naming no network', (s) => { s.template.spec.networks[0].name = 'lan'; }, /an interface names no network/],
  ['an interface with two bindings', (s) => { s.template.spec.domain.devices.interfaces[0].bridge = {}; }, /exactly one binding method/],
  ['a discontinued binding (slirp)', (s) => { s.template.spec.domain.devices.interfaces[0] = { name: 'default', slirp: {} }; }, /Slirp interface support has been discontinued/],
  ['a volume with two sources', (s) => { s.template.spec.volumes[0].emptyDisk = { capacity: '1Gi' }; }, /exactly one source type set/],
  ['two disks of one name', (s) => { s.template.spec.domain.devices.disks[1].name = 'rootdisk'; }, /disks must not have the same name/],
  ['an IDE disk', (s) => { s.template.spec.domain.devices.disks[0].disk.bus = 'ide'; }, /Unsupported value: "ide"/],
  ['a virtio CD-ROM', (s) => { s.template.spec.domain.devices.disks[0] = { name: 'rootdisk', cdrom: { bus: 'virtio' } }; }, /Bus type virtio is invalid for CD-ROM/],
  ['a field KubeVirt does not define', (s) => { s.template.spec.domain.devices.disks[0].disk.speed = 'fast'; }, /speed/],
  ['cloud-init user data over 2048 bytes', (s) => { s.template.spec.volumes[1].cloudInitNoCloud.userData += 'é'.repeat(1100); }, /exceeds 2048 byte limit/],
  ['masquerade on a non-pod network', (s) => { s.template.spec.networks[0] = { name: 'default', multus: { networkName: 'lan' } }; }, /Masquerade interface only implemented with pod network/],
  ['a memory request above the limit', (s) => { s.template.spec.domain.resources.limits.memory = '1Gi'; }, /requests\.memory 2Gi is greater than limits\.memory 1Gi/],
  ['a memory request below 1M', (s) => { s.template.spec.domain.resources.requests.memory = '500k'; s.template.spec.domain.resources.limits.memory = '500k'; }, /greater than or equal to 1M/],
  ['a negative CPU request', (s) => { s.template.spec.domain.resources.requests.cpu = '-1'; }, /requests\.cpu must be greater than or equal to 0/],
  ['dedicated CPUs with a fractional CPU request', (s) => { s.template.spec.domain.cpu.dedicatedCpuPlacement = true; s.template.spec.domain.resources.requests.cpu = '500m'; }, /must be an integer with dedicatedCpuPlacement/],
  ['a hostname that is not a DNS label', (s) => { s.template.spec.hostname = 'Web_1'; }, /hostname/],
];

/** The vm-lab example's VM with one edit applied. */
export function editedVm(edit: Edit, namespace = 'dev'): { lab: Lab; vm: KubeObject } {
  const lab = parsed(readFileSync(join(ROOT, 'resources/examples/vm-lab.yaml'), 'utf8'), 'vm-lab.yaml');
  const vm = structuredClone(compileLab(lab, { namespace }).find((o) => o.kind === 'VirtualMachine')!);
  edit(vm['spec']);
  return { lab, vm };
}
