// Runs one VM with QEMU: its overlay of the release disk (reset = delete the overlay), its
// cloud-init seed, its empty disks, then QEMU itself; and waits for the login prompt on the
// serial console. Everything the VM owns lives in one folder.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import type { BuiltVmDisk } from './disk';
import { kernelCommandLine } from './disk-recipe';
import { noCloudSeed } from './nocloud-seed';
import { qemuArgv, vmMachine, type Accel, type QemuLaunch } from './qemu-args';
import { writeSeedImage } from './seed-image';

const run = promisify(execFile);

export interface RunningVm {
  name: string;
  dir: string;
  process: ChildProcess;
  /** When QEMU was spawned (ms since the epoch). */
  startedAt: number;
  launch: QemuLaunch;
  /** The end of QEMU's stderr, for the error when it exits early. */
  stderr: () => string;
}

/**
 * The VM's own copy-on-write disk over the release disk: the release is never written, and a
 * reset is deleting this file. Created once; a restart keeps what the guest wrote.
 */
export async function createOverlay(base: string, overlay: string): Promise<void> {
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);
}

export async function startVm(vm: V1VirtualMachine, disk: BuiltVmDisk, dir: string, opts: { accel?: Accel; fresh?: boolean; kernelArgs?: string } = {}): Promise<RunningVm> {
  const machine = vmMachine(vm);
  if (opts.fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const rootDisk = join(dir, 'root.qcow2');
  if (!existsSync(rootDisk)) await createOverlay(disk.disk, rootDisk);
  const seed = noCloudSeed(vm);
  const seedImage = seed ? join(dir, 'cidata.img') : undefined;
  if (seed && seedImage) await writeSeedImage(seed, seedImage);
  // An emptyDisk lives as long as the VMI, as in KubeVirt: every start gets a blank one.
  const emptyDiskFiles = [];
  for (const [i, d] of machine.emptyDisks.entries()) {
    const file = join(dir, `empty-${i}.qcow2`);
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', file, String(d.capacityBytes)]);
    emptyDiskFiles.push(file);
  }
  const serialLog = join(dir, 'serial.log');
  await rm(serialLog, { force: true });
  const launch: QemuLaunch = {
    machine, accel: opts.accel ?? 'tcg',
    kernel: disk.kernel, initrd: disk.initrd, append: [kernelCommandLine(), opts.kernelArgs].filter(Boolean).join(' '),
    rootDisk, ...(seedImage ? { seedImage } : {}), emptyDiskFiles,
    serialLog, qmpSocket: join(dir, 'qmp.sock'), vnc: { socket: join(dir, 'vnc.sock') },
  };
  const child = spawn('qemu-system-x86_64', qemuArgv(launch), { stdio: ['ignore', 'ignore', 'pipe'] });
  const startedAt = Date.now();
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  return { name: machine.name, dir, process: child, startedAt, launch, stderr: () => stderr.trim() };
}

// A getty's prompt: "<host> login: " at the start of a line (agetty clears the line first).
const LOGIN = /(?:^|[\r\n])(?:\x1b\[[0-9;?]*[A-Za-z])*([A-Za-z0-9][A-Za-z0-9.-]*) login: ?/;

/** The host name in the serial console's login prompt, once it shows; ms from QEMU's start. */
export async function waitForSerialLogin(vm: RunningVm, timeoutMs: number): Promise<{ hostname: string; ms: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (vm.process.exitCode !== null) throw new Error(`QEMU of ${vm.name} exited (${vm.process.exitCode}) before a login prompt: ${vm.stderr() || 'no message'}`);
    const text = await readFile(vm.launch.serialLog, 'utf8').catch(() => '');
    const m = LOGIN.exec(text);
    if (m) return { hostname: m[1] as string, ms: Date.now() - vm.startedAt };
    if (Date.now() > deadline) throw new Error(`${vm.name}: no login prompt on the serial console in ${timeoutMs / 1000}s; its last lines:\n${text.split('\n').slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resident memory of the QEMU process in MiB (what the host pays for the VM). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export async function stopVm(vm: RunningVm): Promise<void> {
  if (vm.process.exitCode !== null || vm.process.signalCode !== null) return;
  const exited = new Promise((r) => vm.process.once('exit', r));
  vm.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (vm.process.exitCode === null && vm.process.signalCode === null) vm.process.kill('SIGKILL');
}
