// The QEMU command line of one VM: what the compiled VirtualMachine asks for (cpus, memory,
// disks, cloud-init) on the devices KubeVirt gives a guest (q35, virtio disks and NIC, a VGA
// display for VNC, a serial console). Pure, so the launch is tested without QEMU.
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { parseQuantity } from '../../../common/lab/quantity';

/** What the spec fixes about the machine, whatever runs it. */
export interface VmMachine {
  name: string;
  cpus: number;
  memoryMiB: number;
  /** The VM's empty disks, in spec order (the boot and cloud-init disks are not among them). */
  emptyDisks: { name: string; serial?: string; capacityBytes: number }[];
}

const MI = 2 ** 20;

export function vmMachine(vm: V1VirtualMachine): VmMachine {
  const spec = vm.spec.template?.spec;
  const domain = spec?.domain;
  const cpu = domain?.cpu;
  const cpus = Math.max(1, (cpu?.cores ?? 1) * (cpu?.sockets ?? 1) * (cpu?.threads ?? 1));
  // KubeVirt's guest memory: memory.guest when given, else the memory request, else the limit.
  const memory = domain?.memory?.guest ?? domain?.resources?.requests?.['memory'] ?? domain?.resources?.limits?.['memory'];
  const bytes = memory !== undefined ? parseQuantity(String(memory)) : undefined;
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) throw new Error(`VM ${vm.metadata?.name ?? '?'} has no guest memory in its spec`);
  const disks = new Map((domain?.devices.disks ?? []).map((d) => [d.name, d]));
  const emptyDisks = (spec?.volumes ?? []).flatMap((v) => {
    if (!v.emptyDisk) return [];
    const capacityBytes = parseQuantity(String(v.emptyDisk.capacity)) ?? 0;
    const serial = disks.get(v.name)?.serial;
    return [{ name: v.name, capacityBytes, ...(serial !== undefined ? { serial } : {}) }];
  });
  return { name: vm.metadata?.name ?? 'vm', cpus, memoryMiB: Math.ceil(bytes / MI), emptyDisks };
}

export type Accel = 'tcg' | 'kvm';

export interface QemuLaunch {
  machine: VmMachine;
  accel: Accel;
  kernel: string;
  initrd: string;
  append: string;
  /** The VM's own overlay of the release disk. */
  rootDisk: string;
  seedImage?: string;
  /** Files for machine.emptyDisks, in the same order. */
  emptyDiskFiles: string[];
  serialLog: string;
  qmpSocket: string;
  /** A unix socket (nothing else on the machine can reach it) or a loopback TCP port (5900+). */
  vnc: { socket: string } | { port: number };
  /** User-mode networking forwarding these host ports (loopback) to guest ports. */
  forwards?: { host: number; guest: number }[];
}

const TCG_TB_MIB = 256;

/** QEMU's option values separate fields with commas; a comma in a path is written twice. */
const esc = (path: string) => path.replaceAll(',', ',,');

function vncOption(v: QemuLaunch['vnc']): string {
  if ('socket' in v) return `unix:${esc(v.socket)}`;
  if (!Number.isInteger(v.port) || v.port < 5900 || v.port > 65535) throw new Error(`a VNC port is 5900 or above (QEMU counts displays from 5900), not ${v.port}`);
  return `127.0.0.1:${v.port - 5900}`;
}

export function qemuArgv(l: QemuLaunch): string[] {
  const m = l.machine;
  if (l.emptyDiskFiles.length !== m.emptyDisks.length) throw new Error(`VM ${m.name} has ${m.emptyDisks.length} empty disks but ${l.emptyDiskFiles.length} files for them`);
  const args = [
    // Nothing the machine's QEMU config or defaults would add: the devices are all below.
    '-nodefaults', '-no-user-config',
    '-name', `guest=${esc(m.name)},process=labforge-vm-${m.name}`,
    '-machine', 'q35',
    // TCG runs one host thread per vCPU (multi-threaded TCG); its translated-code cache is 1 GiB by
    // default, resident once touched: 256 MiB holds a booting Debian guest's hot code. KVM gives
    // the guest the host's CPU.
    ...(l.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', `tcg,thread=multi,tb-size=${TCG_TB_MIB}`, '-cpu', 'max']),
    '-smp', String(m.cpus),
    '-m', `${m.memoryMiB}M`,
    '-kernel', l.kernel, '-initrd', l.initrd, '-append', l.append,
    '-drive', `file=${esc(l.rootDisk)},format=qcow2,if=none,id=rootdisk,discard=unmap`,
    '-device', 'virtio-blk-pci,drive=rootdisk',
  ];
  if (l.seedImage) {
    args.push('-drive', `file=${esc(l.seedImage)},format=raw,if=none,id=cloudinit,readonly=on`, '-device', 'virtio-blk-pci,drive=cloudinit');
  }
  m.emptyDisks.forEach((d, i) => {
    const id = `empty${i}`;
    args.push('-drive', `file=${esc(l.emptyDiskFiles[i] as string)},format=qcow2,if=none,id=${id},discard=unmap`);
    args.push('-device', `virtio-blk-pci,drive=${id}${d.serial !== undefined ? `,serial=${esc(d.serial)}` : ''}`);
  });
  const fwd = (l.forwards ?? []).map((f) => `,hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`).join('');
  // romfile= : the NIC's iPXE boot ROM is for network boot, which a direct kernel boot never does.
  args.push('-netdev', `user,id=net0${fwd}`, '-device', 'virtio-net-pci,netdev=net0,romfile=');
  args.push(
    '-device', 'VGA', '-display', 'none', '-vnc', vncOption(l.vnc),
    '-chardev', `file,id=serial0,path=${esc(l.serialLog)}`, '-serial', 'chardev:serial0',
    '-qmp', `unix:${esc(l.qmpSocket)},server=on,wait=off`,
  );
  return args;
}
