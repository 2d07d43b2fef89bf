import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whichSync } from '../node/host';
import { writeSeedImage } from './seed-image';

const tools = ['mkfs.vfat', 'mcopy', 'mtype', 'mlabel'].every((t) => whichSync(t));
const dir = mkdtempSync(join(tmpdir(), 'seed-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Needs dosfstools and mtools (apt); skipped where they are missing.
describe.skipIf(!tools)('writeSeedImage', () => {
  it('writes the files into a FAT image labelled CIDATA, as cloud-init looks for', async () => {
    const image = join(dir, 'cidata.img');
    await writeSeedImage({ 'meta-data': 'instance-id: "a.b"\n', 'user-data': '#cloud-config\nhostname: a\n' }, image);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    expect(execFileSync('mlabel', ['-i', image, '-s', '::'], { env, encoding: 'utf8' })).toMatch(/CIDATA/);
    expect(execFileSync('mtype', ['-i', image, '::user-data'], { env, encoding: 'utf8' })).toBe('#cloud-config\nhostname: a\n');
    expect(execFileSync('mtype', ['-i', image, '::meta-data'], { env, encoding: 'utf8' })).toBe('instance-id: "a.b"\n');
  });
});
