// Writes a NoCloud seed as the small FAT image cloud-init looks for (volume label CIDATA), with
// mkfs.vfat and mtools: no mount, so no privilege beyond writing the file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { whichSync } from '../node/host';
import type { NoCloudFiles } from './nocloud-seed';

const run = promisify(execFile);

/** FAT12 needs no more than this for a few kilobytes of YAML; the file is sparse anyway. */
const SEED_KIB = 1024;

export async function writeSeedImage(files: NoCloudFiles, image: string): Promise<void> {
  for (const t of [{ command: 'mkfs.vfat', pkg: 'dosfstools' }, { command: 'mcopy', pkg: 'mtools' }]) {
    if (!whichSync(t.command)) throw new Error(`writing a cloud-init seed needs ${t.command} (apt-get install ${t.pkg})`);
  }
  await rm(image, { force: true });
  await run('mkfs.vfat', ['-n', 'CIDATA', '-C', image, String(SEED_KIB)]);
  const dir = await mkdtemp(join(tmpdir(), 'labforge-seed-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      if (text === undefined) continue;
      await writeFile(join(dir, name), text);
      // MTOOLS_SKIP_CHECK: the image is ours and freshly made; mtools need not vet its geometry.
      await run('mcopy', ['-i', image, join(dir, name), `::${name}`], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
