// Builds the VM boot disk of disk-recipe.ts into the cache outside git, keyed by the recipe's text:
// a qcow2 of the ext4 root (sparse, so a 2 GiB file system costs what it holds) and the kernel
// and initrd for QEMU's direct boot. VMs never write to it: each boots a throwaway overlay.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEBIAN_SUITE } from '../node/image-recipes';
import { whichSync } from '../node/host';
import { labforgeCacheRoot } from '../node/images';
import type { VmDiskRecipe } from './disk-recipe';

const run = promisify(execFile);

export interface BuiltVmDisk {
  /** The release disk: qcow2, read-only backing file of every VM's overlay. */
  disk: string;
  kernel: string;
  initrd: string;
}

export function vmDiskCacheRoot(): string {
  return join(labforgeCacheRoot(), 'vm-disks');
}

function recipeKey(r: VmDiskRecipe): string {
  return createHash('sha256').update(JSON.stringify(r)).update(DEBIAN_SUITE).digest('hex').slice(0, 16);
}

function builtFiles(dir: string): BuiltVmDisk {
  return { disk: join(dir, 'disk.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
}

export function vmDiskDir(r: VmDiskRecipe): string {
  return join(vmDiskCacheRoot(), `${r.name}-${recipeKey(r)}`);
}

export function isVmDiskBuilt(r: VmDiskRecipe): boolean {
  return existsSync(builtFiles(vmDiskDir(r)).disk);
}

const NEEDED = [
  { command: 'mmdebstrap', pkg: 'mmdebstrap' },
  { command: 'mke2fs', pkg: 'e2fsprogs' },
  { command: 'qemu-img', pkg: 'qemu-utils' },
];

/** Builds the disk unless it is cached; returns its files. */
export async function buildVmDisk(r: VmDiskRecipe, log: (line: string) => void): Promise<BuiltVmDisk> {
  const dir = vmDiskDir(r);
  const out = builtFiles(dir);
  if (existsSync(out.disk)) return out;
  const missing = NEEDED.filter((t) => !whichSync(t.command));
  if (missing.length) throw new Error(`building the VM disk needs ${missing.map((t) => t.command).join(', ')} (apt-get install ${missing.map((t) => t.pkg).join(' ')})`);
  const work = `${dir}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const t0 = Date.now();
  const root = join(work, 'rootfs');
  try {
    log(`building VM disk ${r.name} from Debian packages (${r.packages.join(', ')})`);
    await run('mmdebstrap', [
      '--quiet', '--mode=root', '--variant=minbase', `--include=${r.packages.join(',')}`,
      '--aptopt=APT::Install-Recommends "false"',
      '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
      `--setup-hook=${r.setup}`,
      `--customize-hook=${r.customize}`,
      '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
      DEBIAN_SUITE, root,
    ], { maxBuffer: 64 * 1024 * 1024 });
    const boot = await readdir(join(root, 'boot'));
    const kernel = boot.find((f) => f.startsWith('vmlinuz-'));
    const initrd = boot.find((f) => f.startsWith('initrd.img-'));
    if (!kernel || !initrd) throw new Error(`no kernel or initrd in /boot (found ${boot.join(', ') || 'nothing'})`);
    await copyFile(join(root, 'boot', kernel), join(work, 'vmlinuz'));
    await copyFile(join(root, 'boot', initrd), join(work, 'initrd.img'));
    // mke2fs fills the file system from the folder, ownership and modes included: no loop mount.
    const raw = join(work, 'root.raw');
    await run('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'root', '-d', root, raw, `${r.sizeMiB}M`]);
    await run('qemu-img', ['convert', '-O', 'qcow2', raw, join(work, 'disk.qcow2')]);
    await rm(raw, { force: true });
    await rm(root, { recursive: true, force: true });
    await writeFile(join(work, 'recipe.json'), JSON.stringify({ ...r, kernel, initrd, suite: DEBIAN_SUITE }, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`building VM disk ${r.name} failed: ${e.stderr?.trim().split('\n').slice(-8).join('\n') || e.message}`);
  }
  log(`built VM disk ${r.name} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return out;
}
