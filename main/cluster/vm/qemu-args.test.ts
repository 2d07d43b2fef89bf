import { describe, expect, it } from 'vitest';
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { compileLab } from '../../../common/compile';
import { parseLab } from '../../../common/lab/parse';
import { qemuArgv, vmMachine, type QemuLaunch } from './qemu-args';

const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: args-lab }
nodes:
  - name: server
    kind: vm
    image: localhost/labforge/debian-vm:bookworm
    resources:
      requests: { cpu: "2", memory: 1Gi }
      disk: 3Gi
`;

function compiledVm(): V1VirtualMachine {
  const r = parseLab(LAB);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return compileLab(r.lab, { namespace: 'args-lab-dev' }).find((o) => o.kind === 'VirtualMachine') as unknown as V1VirtualMachine;
}

const launch = (over: Partial<QemuLaunch> = {}): QemuLaunch => ({
  machine: vmMachine(compiledVm()), accel: 'tcg',
  kernel: '/c/vmlinuz', initrd: '/c/initrd.img', append: 'root=/dev/vda',
  rootDisk: '/vm/root.qcow2', seedImage: '/vm/cidata.img', emptyDiskFiles: ['/vm/empty-0.qcow2'],
  serialLog: '/vm/serial.log', qmpSocket: '/vm/qmp.sock', vnc: { socket: '/vm/vnc.sock' },
  ...over,
});

/** The value following each occurrence of an option. */
const values = (argv: string[], option: string) => argv.flatMap((a, i) => (a === option ? [argv[i + 1]] : []));

describe('vmMachine', () => {
  it('takes cpus, guest memory and the empty disks from the compiled spec', () => {
    expect(vmMachine(compiledVm())).toEqual({ name: 'server', cpus: 2, memoryMiB: 1024, emptyDisks: [{ name: 'scratch', serial: 'scratch', capacityBytes: 3 * 2 ** 30 }] });
  });

  it('prefers memory.guest, as KubeVirt does, and refuses a VM without memory', () => {
    const vm = compiledVm();
    vm.spec.template!.spec!.domain.memory = { guest: '768Mi' };
    expect(vmMachine(vm).memoryMiB).toBe(768);
    delete vm.spec.template!.spec!.domain.memory;
    delete vm.spec.template!.spec!.domain.resources;
    expect(() => vmMachine(vm)).toThrow(/no guest memory/);
  });
});

describe('qemuArgv', () => {
  it('boots the kernel directly with the overlay, the seed, the empty disk, a NIC, VGA on VNC and a serial log', () => {
    const argv = qemuArgv(launch());
    expect(values(argv, '-smp')).toEqual(['2']);
    expect(values(argv, '-m')).toEqual(['1024M']);
    expect(values(argv, '-kernel')).toEqual(['/c/vmlinuz']);
    expect(values(argv, '-append')).toEqual(['root=/dev/vda']);
    expect(values(argv, '-drive')).toEqual([
      'file=/vm/root.qcow2,format=qcow2,if=none,id=rootdisk,discard=unmap',
      'file=/vm/cidata.img,format=raw,if=none,id=cloudinit,readonly=on',
      'file=/vm/empty-0.qcow2,format=qcow2,if=none,id=empty0,discard=unmap',
    ]);
    expect(values(argv, '-device')).toEqual([
      'virtio-blk-pci,drive=rootdisk', 'virtio-blk-pci,drive=cloudinit', 'virtio-blk-pci,drive=empty0,serial=scratch',
      'virtio-net-pci,netdev=net0,romfile=', 'VGA',
    ]);
    expect(values(argv, '-vnc')).toEqual(['unix:/vm/vnc.sock']);
    expect(values(argv, '-serial')).toEqual(['chardev:serial0']);
    expect(values(argv, '-qmp')).toEqual(['unix:/vm/qmp.sock,server=on,wait=off']);
    expect(argv).toContain('-nodefaults');
  });

  it('uses TCG unless KVM is asked for', () => {
    expect(values(qemuArgv(launch()), '-accel')[0]).toMatch(/^tcg,thread=multi/);
    const kvm = qemuArgv(launch({ accel: 'kvm' }));
    expect(values(kvm, '-accel')).toEqual(['kvm']);
    expect(values(kvm, '-cpu')).toEqual(['host']);
  });

  it('listens for VNC on loopback only, and forwards ports to loopback', () => {
    const argv = qemuArgv(launch({ vnc: { port: 5901 }, forwards: [{ host: 2222, guest: 22 }] }));
    expect(values(argv, '-vnc')).toEqual(['127.0.0.1:1']);
    expect(values(argv, '-netdev')).toEqual(['user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22']);
    expect(() => qemuArgv(launch({ vnc: { port: 80 } }))).toThrow(/5900/);
  });

  it('doubles commas in paths so a path cannot add options', () => {
    const argv = qemuArgv(launch({ rootDisk: '/vm/a,format=raw' }));
    expect(values(argv, '-drive')[0]).toBe('file=/vm/a,,format=raw,format=qcow2,if=none,id=rootdisk,discard=unmap');
  });

  it('leaves out the seed when the VM has none, and refuses a missing empty-disk file', () => {
    const { seedImage: _unused, ...noSeed } = launch();
    expect(qemuArgv(noSeed).join(' ')).not.toContain('cidata');
    expect(() => qemuArgv(launch({ emptyDiskFiles: [] }))).toThrow(/1 empty disks but 0 files/);
  });
});
