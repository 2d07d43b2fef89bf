import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ApiFailure } from './dispatch';
import { nodeFileSystem } from './fs';

const dir = mkdtempSync(join(tmpdir(), 'labforge-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('file reads refuse a FIFO as an invalid request, at once', async () => {
  const fifo = join(dir, 'lab.yaml');
  execFileSync('mkfifo', [fifo]);
  const err = await nodeFileSystem.readFile(fifo).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiFailure);
  expect((err as ApiFailure).code).toBe('invalid_request');
  expect((err as Error).message).toMatch(/named pipe/);
});

it('file reads refuse a lab over 4 MiB', async () => {
  const big = join(dir, 'big.yaml');
  writeFileSync(big, Buffer.alloc(4 * 2 ** 20 + 1, 0x61));
  const err = await nodeFileSystem.readFile(big).catch((e: unknown) => e);
  expect((err as ApiFailure).code).toBe('invalid_request');
  expect((err as Error).message).toMatch(/larger than 4 MiB/);
});

it('a missing file is not_found', async () => {
  const err = await nodeFileSystem.readFile(join(dir, 'none.yaml')).catch((e: unknown) => e);
  expect((err as ApiFailure).code).toBe('not_found');
});
