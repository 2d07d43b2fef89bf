import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, readInputFile, readInputFileSync } from './input-file';

const dir = mkdtempSync(join(tmpdir(), 'labforge-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fifo = join(dir, 'pipe.yaml');
execFileSync('mkfifo', [fifo]);
const folder = join(dir, 'folder.yaml');
mkdirSync(folder);
const small = join(dir, 'small.yaml');
writeFileSync(small, 'kind: Lab\n');
const big = join(dir, 'big.yaml');
writeFileSync(big, `${'a: 1\n'.repeat(300)}`);

const limit = { what: 'lab file', maxBytes: 1000 };

const readers = {
  sync: async (path: string) => readInputFileSync(path, limit),
  async: (path: string) => readInputFile(path, limit),
};

for (const [name, read] of Object.entries(readers)) {
  describe(`${name} reader`, () => {
    it('reads a regular file', async () => {
      expect(await read(small)).toBe('kind: Lab\n');
    });

    it.each([
      ['a FIFO, without blocking', fifo, /named pipe/],
      ['a device', '/dev/zero', /a device/],
      ['a directory', folder, /a directory/],
    ])('refuses %s', async (_, path, message) => {
      const err = await read(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputFileError);
      expect((err as InputFileError).problem).toBe('not_regular');
      expect((err as Error).message).toMatch(message);
    });

    it('refuses a file over the limit and returns the text up to it', async () => {
      const err = (await read(big).catch((e: unknown) => e)) as InputFileError;
      expect(err.problem).toBe('too_large');
      expect(err.head).toHaveLength(1000);
    });

    it('says when the file does not exist', async () => {
      const err = (await read(join(dir, 'none')).catch((e: unknown) => e)) as InputFileError;
      expect(err.problem).toBe('missing');
    });
  });
}

it('four FIFO reads at once do not hold up a regular read', async () => {
  const pending = Array.from({ length: 4 }, () => readInputFile(fifo, limit).catch(() => 'refused'));
  const started = Date.now();
  expect(await readInputFile(small, limit)).toBe('kind: Lab\n');
  expect(await Promise.all(pending)).toEqual(['refused', 'refused', 'refused', 'refused']);
  expect(Date.now() - started).toBeLessThan(2000);
});
