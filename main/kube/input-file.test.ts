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

    it('reads a file that reports size 0 and is longer than the first buffer (grows it)', async () => {
      // /proc files stat as 0 bytes; this one is tens of KiB, so the 4 KiB first buffer grows.
      const text = await (name === 'sync' ? Promise.resolve(readInputFileSync('/proc/self/smaps', { what: 'file', maxBytes: 2 ** 22 })) : readInputFile('/proc/self/smaps', { what: 'file', maxBytes: 2 ** 22 }));
      expect(text.length).toBeGreaterThan(4096);
      expect(text).toMatch(/^Rss: /m);
      expect(text.endsWith('\n')).toBe(true);
    });

    it('refuses a size-0 file that passes the limit while growing', async () => {
      const small5k = { what: 'file', maxBytes: 5000 };
      const err = (await (name === 'sync' ? Promise.resolve().then(() => readInputFileSync('/proc/self/smaps', small5k)) : readInputFile('/proc/self/smaps', small5k)).catch((e: unknown) => e)) as InputFileError;
      expect(err.problem).toBe('too_large');
      expect(err.head).toHaveLength(5000);
    });

    it('reads a multi-byte file exactly at its size', async () => {
      const exact = join(dir, `exact-${name}.yaml`);
      const body = `name: "${'é'.repeat(499)}"\n`; // 1009 bytes > 1000, so use a wider limit
      writeFileSync(exact, body);
      const wide = { what: 'lab file', maxBytes: Buffer.byteLength(body) };
      expect(name === 'sync' ? readInputFileSync(exact, wide) : await readInputFile(exact, wide)).toBe(body);
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
