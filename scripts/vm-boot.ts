/**
 * `npx tsx scripts/vm-boot.ts [N]`: the ceiling `bench:vm` compares against — lab VMs booted by
 * QEMU directly, no cluster. Builds the VM disk (cached), compiles a lab of N VMs (default 1)
 * with Labforge's compiler, boots each from a fresh overlay with its cloud-init seed, and prints
 * the time from QEMU's start to the login prompt on the serial console, the host name the prompt
 * shows (cloud-init set it from the lab), whether tty1 (the VGA screen VNC shows) has a login
 * prompt too, and the resident memory of each QEMU.
 *
 * Environment: VM_ACCEL=kvm to try KVM (TCG otherwise); VM_MEMORY (default 512Mi); VM_CPUS
 * (default 1); VM_TIMEOUT seconds per VM (default 300); VM_KERNEL_ARGS appended to the kernel's
 * command line (`cloud-init=disabled` measures the boot without cloud-init); VM_KEEP=1 leaves the VMs running (for a
 * VNC viewer on their sockets) until Ctrl-C. Nothing here asserts a figure.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { compileLab } from '../common/compile';
import { parseLab } from '../common/lab/parse';
import { buildVmDisk } from '../main/cluster/vm/disk';
import { VM_DISK } from '../main/cluster/vm/disk-recipe';
import { openQmp } from '../main/cluster/vm/qmp';
import { rssMiB, startVm, stopVm, waitForSerialLogin, type RunningVm } from '../main/cluster/vm/qemu-vm';
import { loginPromptHost, VGA_TEXT_ADDRESS, VGA_TEXT_BYTES, vgaTextLines } from '../main/cluster/vm/vga-text';

const count = Number(process.argv[2] ?? 1);
const accel = process.env['VM_ACCEL'] === 'kvm' ? 'kvm' : 'tcg';
const memory = process.env['VM_MEMORY'] ?? '512Mi';
const cpus = process.env['VM_CPUS'] ?? '1';
const kernelArgs = process.env['VM_KERNEL_ARGS'];
const timeoutMs = Number(process.env['VM_TIMEOUT'] ?? 300) * 1000;
const root = join(tmpdir(), 'labforge-vm-boot');

function labOf(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  - name: vm-${i + 1}
    kind: vm
    image: localhost/labforge/debian-vm:bookworm
    resources: { requests: { cpu: "${cpus}", memory: ${memory} } }
    files:
      - path: /etc/motd
        content: "written by cloud-init from the lab\\n"`).join('\n');
  return `apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata:\n  name: vm-boot\nnodes:\n${nodes}\n`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** tty1's login prompt, read from the VGA text buffer through QMP (waits for it up to 30 s). */
async function vgaLogin(vm: RunningVm): Promise<string | undefined> {
  const qmp = await openQmp(vm.launch.qmpSocket);
  const dump = join(vm.dir, 'vga.bin');
  try {
    for (let i = 0; i < 60; i++) {
      await qmp.execute('pmemsave', { val: VGA_TEXT_ADDRESS, size: VGA_TEXT_BYTES, filename: dump });
      const host = loginPromptHost(vgaTextLines(await readFile(dump)));
      if (host) {
        await qmp.execute('screendump', { filename: join(vm.dir, 'screen.png'), format: 'png' });
        return host;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return undefined;
  } finally {
    qmp.close();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const disk = await buildVmDisk(VM_DISK, (l) => console.log(l));
  console.log(`disk ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${disk.disk}`);
  const parsed = parseLab(labOf(count));
  if (!parsed.ok) throw new Error(`the generated lab is invalid: ${JSON.stringify(parsed.issues)}`);
  const vms = compileLab(parsed.lab, { namespace: 'vm-boot-dev' }).filter((o) => o.kind === 'VirtualMachine') as unknown as V1VirtualMachine[];
  const running: RunningVm[] = [];
  const stopAll = () => Promise.all(running.map(stopVm));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    // All start at once, as a class's VMs do on publish.
    for (const vm of vms) running.push(await startVm(vm, disk, join(root, vm.metadata?.name ?? 'vm'), { accel, fresh: true, ...(kernelArgs ? { kernelArgs } : {}) }));
    console.log(`${running.length} VM(s) started (${accel}, ${cpus} vCPU, ${memory}); their folders are under ${root}`);
    const results = await Promise.all(running.map(async (vm) => {
      const serial = await waitForSerialLogin(vm, timeoutMs);
      const vga = await vgaLogin(vm);
      return { vm, serial, vga, rss: await rssMiB(vm.process.pid as number) };
    }));
    for (const r of results) {
      console.log(`${r.vm.name}: login prompt on serial in ${(r.serial.ms / 1000).toFixed(1)}s, host name ${r.serial.hostname}; tty1 (VGA) ${r.vga ? `shows "${r.vga} login:"` : 'shows no login prompt'}; QEMU RSS ${r.rss} MiB`);
    }
    const times = results.map((r) => r.serial.ms).sort((a, b) => a - b);
    console.log(`vm-boot: ${count} VM(s), ${accel}: serial login p50 ${(percentile(times, 50) / 1000).toFixed(1)}s p95 ${(percentile(times, 95) / 1000).toFixed(1)}s; RSS ${results.map((r) => r.rss).join(', ')} MiB`);
    if (process.env['VM_KEEP'] === '1') {
      console.log(`VNC sockets: ${running.map((v) => join(v.dir, 'vnc.sock')).join(' ')}; Ctrl-C stops the VMs`);
      await new Promise(() => undefined);
    }
  } finally {
    await stopAll();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
