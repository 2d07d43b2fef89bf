import { describe, expect, it } from 'vitest';
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { compileLab } from '../../../common/compile';
import { parseLab } from '../../../common/lab/parse';
import { noCloudSeed } from './nocloud-seed';

const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: seed-lab }
nodes:
  - name: server
    kind: vm
    image: localhost/labforge/debian-vm:bookworm
    files:
      - path: /etc/motd
        content: "hello\\n"
    setup: echo done > /tmp/done
`;

function compiledVm(): V1VirtualMachine {
  const r = parseLab(LAB);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return compileLab(r.lab, { namespace: 'seed-lab-dev' }).find((o) => o.kind === 'VirtualMachine') as unknown as V1VirtualMachine;
}

describe('noCloudSeed', () => {
  it('carries the compiled user data and names the instance and host as KubeVirt does', () => {
    const vm = compiledVm();
    const seed = noCloudSeed(vm)!;
    expect(seed['meta-data']).toBe('instance-id: "server.seed-lab-dev"\nlocal-hostname: "server"\n');
    const userData = vm.spec.template!.spec!.volumes!.find((v) => v.cloudInitNoCloud)!.cloudInitNoCloud!.userData;
    expect(seed['user-data']).toBe(userData);
    expect(seed['user-data']).toMatch(/^#cloud-config\nhostname: server\n/);
    expect(seed['network-config']).toBeUndefined();
  });

  it('decodes base64 user and network data', () => {
    const vm = compiledVm();
    const volume = vm.spec.template!.spec!.volumes!.find((v) => v.cloudInitNoCloud)!;
    volume.cloudInitNoCloud = { userDataBase64: Buffer.from('#cloud-config\n{}\n').toString('base64'), networkDataBase64: Buffer.from('version: 2\n').toString('base64') };
    const seed = noCloudSeed(vm)!;
    expect(seed['user-data']).toBe('#cloud-config\n{}\n');
    expect(seed['network-config']).toBe('version: 2\n');
  });

  it('quotes names so meta-data stays one YAML mapping', () => {
    const vm = compiledVm();
    vm.spec.template!.spec!.hostname = 'a: b\nc';
    expect(noCloudSeed(vm)!['meta-data']).toContain('local-hostname: "a: b\\nc"\n');
  });

  it('is undefined for a VM without a cloud-init volume', () => {
    const vm = compiledVm();
    vm.spec.template!.spec!.volumes = vm.spec.template!.spec!.volumes!.filter((v) => !v.cloudInitNoCloud);
    expect(noCloudSeed(vm)).toBeUndefined();
  });
});
