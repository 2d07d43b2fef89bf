// A sized volume on the real kernel: a loop-mounted ext4 of the claim's size stops a writer at it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSizedVolume, imageOf, isMounted, removeSizedVolume, unmountedImages } from './sized-volume';

const root = mkdtempSync(join(tmpdir(), 'labforge-sized-'));
afterAll(() => {
  try {
    execFileSync('umount', ['-l', join(root, 'ns', 'v')], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
  rmSync(root, { recursive: true, force: true });
});

const root_ = process.getuid?.() === 0;

describe.skipIf(!root_)('sized volume (skipped unless root: it mounts a loop device)', () => {
  it('holds at most its size, is writable by any user, and leaves nothing behind once removed', async () => {
    const dir = join(root, 'ns', 'v');
    await ensureSizedVolume(dir, 16 * 2 ** 20);
    expect(isMounted(dir)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o777);
    // Empty, as a folder would be (initdb refuses a data directory holding lost+found).
    expect(readdirSync(dir)).toEqual([]);
    // The image is sparse: it takes almost nothing until written.
    expect(statSync(imageOf(dir)).blocks * 512).toBeLessThan(8 * 2 ** 20);
    expect(() => writeFileSync(join(dir, 'fill'), Buffer.alloc(32 * 2 ** 20))).toThrow(/ENOSPC/);
    expect(statSync(join(dir, 'fill')).size).toBeLessThanOrEqual(16 * 2 ** 20);

    // A restarted host: the image is there, the mount is not; the provisioner mounts it again, data kept.
    execFileSync('umount', [dir]);
    expect(await unmountedImages(root)).toEqual([dir]);
    await ensureSizedVolume(dir, 0);
    expect(existsSync(join(dir, 'fill'))).toBe(true);

    await removeSizedVolume(dir);
    expect(isMounted(dir)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(imageOf(dir))).toBe(false);
  });
});
