// A volume that holds at most its claim's size: an ext4 filesystem in a sparse file of that size,
// loop-mounted where the hostPath PersistentVolume points. A plain host directory would let a
// student fill the host's disk through a 64 MiB claim (the breakout suite's `fill-pvc`); a
// filesystem of its own stops the writer with ENOSPC at the claim's size and nobody else. Used
// for claims whose pods land on the real node; kwok's pods never write, so theirs stay folders.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The image file beside a volume's mount point. */
export const imageOf = (dir: string) => `${dir}.img`;

export function isMounted(dir: string): boolean {
  // /proc/self/mounts escapes spaces as \040; our directories have none.
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === dir);
}

/**
 * Creates (or, after a restart, re-mounts) the filesystem of `bytes` at `dir`. The root of the
 * filesystem is world-writable: a hostPath volume gets no fsGroup from the kubelet, and lab nodes
 * run as user 1000 unless they are root; only the pod that mounts it ever sees it.
 */
export async function ensureSizedVolume(dir: string, bytes: number): Promise<void> {
  const image = imageOf(dir);
  if (!existsSync(image)) {
    await mkdir(dirname(dir), { recursive: true });
    const partial = `${image}.partial`;
    const fh = await open(partial, 'w');
    try {
      await fh.truncate(bytes);
    } finally {
      await fh.close();
    }
    // No reserved blocks (the whole claim is the student's); lazy init keeps mkfs to a fraction of a second.
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', partial]);
    await rename(partial, image);
  }
  await mkdir(dir, { recursive: true });
  if (!isMounted(dir)) await run('mount', ['-o', 'loop,nodev,nosuid', image, dir]);
  // A fresh volume is empty, as a folder was: programs that refuse a non-empty data directory
  // (PostgreSQL's initdb) must not meet mkfs's lost+found. fsck makes it again if it needs one.
  await rmdir(join(dir, 'lost+found')).catch(() => undefined);
  await chmod(dir, 0o777);
}

/** Unmounts (lazily: a pod may still be going away) and removes the volume's directory and image. */
export async function removeSizedVolume(dir: string): Promise<void> {
  if (isMounted(dir)) await run('umount', ['-l', dir]);
  await rm(dir, { recursive: true, force: true });
  await rm(imageOf(dir), { force: true });
}

/** Every image under `root` (one folder per namespace) whose volume is not mounted: after a restart of the host. */
export async function unmountedImages(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of await readdir(root).catch(() => [] as string[])) {
    for (const f of await readdir(join(root, ns)).catch(() => [] as string[])) {
      if (!f.endsWith('.img')) continue;
      const dir = join(root, ns, f.slice(0, -'.img'.length));
      if (!isMounted(dir)) out.push(dir);
    }
  }
  return out;
}
