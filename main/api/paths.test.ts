import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathPolicy, type PathPolicy } from './paths';

let dir: string;
let ws: string;
let examples: string;
let outside: string;
let policy: PathPolicy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-paths-'));
  ws = join(dir, 'workspace');
  examples = join(dir, 'examples');
  outside = join(dir, 'outside');
  for (const d of [ws, examples, outside, join(ws, 'sub')]) await mkdir(d, { recursive: true });
  await writeFile(join(ws, 'lab.yaml'), 'a');
  await writeFile(join(ws, 'sub', 'b.yaml'), 'b');
  await writeFile(join(examples, 'web.yaml'), 'e');
  await writeFile(join(outside, 'secret.yaml'), 's');
  await symlink(join(outside, 'secret.yaml'), join(ws, 'link.yaml'));
  await symlink(outside, join(ws, 'linkdir'));
  await symlink(join(ws, 'lab.yaml'), join(ws, 'inner-link.yaml'));
  policy = createPathPolicy([
    { dir: ws, writable: true },
    { dir: examples, writable: false },
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? 'throw');

describe('path policy', () => {
  it('resolves relative paths against the workspace', async () => {
    expect(await policy.resolve('lab.yaml', 'read')).toMatch(/workspace\/lab\.yaml$/);
    expect(await policy.resolve('sub/b.yaml', 'write')).toMatch(/workspace\/sub\/b\.yaml$/);
  });

  it('allows new files in the workspace for writing', async () => {
    expect(await code(policy.resolve('new.yaml', 'write'))).toBe('ok');
  });

  it('rejects escaping with ..', async () => {
    expect(await code(policy.resolve('../outside/secret.yaml', 'read'))).toBe('forbidden');
    expect(await code(policy.resolve('sub/../../outside/secret.yaml', 'read'))).toBe('forbidden');
    expect(await code(policy.resolve(join(ws, '..', 'outside', 'secret.yaml'), 'read'))).toBe('forbidden');
    expect(await code(policy.resolve('../outside/new.yaml', 'write'))).toBe('forbidden');
  });

  it('rejects symlinks that lead out of the workspace', async () => {
    expect(await code(policy.resolve('link.yaml', 'read'))).toBe('forbidden');
    expect(await code(policy.resolve('linkdir/secret.yaml', 'read'))).toBe('forbidden');
    expect(await code(policy.resolve('linkdir/new.yaml', 'write'))).toBe('forbidden');
  });

  it('allows symlinks that stay inside', async () => {
    expect(await policy.resolve('inner-link.yaml', 'read')).toMatch(/workspace\/lab\.yaml$/);
  });

  it('treats examples as read-only', async () => {
    expect(await code(policy.resolve(join(examples, 'web.yaml'), 'read'))).toBe('ok');
    expect(await code(policy.resolve(join(examples, 'web.yaml'), 'write'))).toBe('forbidden');
  });

  it('rejects absolute paths elsewhere and NUL bytes', async () => {
    expect(await code(policy.resolve('/etc/passwd', 'read'))).toBe('forbidden');
    expect(await code(policy.resolve('lab.yaml\0', 'read'))).toBe('forbidden');
  });

  it('reports missing files as not_found', async () => {
    expect(await code(policy.resolve('missing.yaml', 'read'))).toBe('not_found');
    expect(await code(policy.resolve('nodir/x.yaml', 'write'))).toBe('not_found');
  });

  it('allows exactly the granted file outside the roots', async () => {
    const p = createPathPolicy([{ dir: ws, writable: true }]);
    const secret = join(outside, 'secret.yaml');
    expect(await code(p.resolve(secret, 'read'))).toBe('forbidden');
    await p.grant(secret, 'read');
    expect(await code(p.resolve(secret, 'read'))).toBe('ok');
    expect(await code(p.resolve(secret, 'write'))).toBe('forbidden');
    expect(await code(p.resolve(join(outside, 'other.yaml'), 'write'))).toBe('forbidden');
  });

  it('without a workspace, relative paths are refused', async () => {
    const p = createPathPolicy([{ dir: examples, writable: false }]);
    expect(await code(p.resolve('web.yaml', 'read'))).toBe('forbidden');
  });
});
