import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDirInside, OutsideRootError, readFileInside, writeFileInside } from './safe-write';
import { createJsonSettings } from './settings';

let dir: string;
let ws: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-safe-write-'));
  ws = join(dir, 'ws');
  outside = join(dir, 'outside');
  await mkdir(ws);
  await mkdir(outside);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writes that must stay inside a root', () => {
  it('creates missing folders and writes atomically, leaving no temporary file', async () => {
    await writeFileInside(ws, join(ws, '.labforge', 'settings.json'), '{"a":1}');
    expect(await readFile(join(ws, '.labforge', 'settings.json'), 'utf8')).toBe('{"a":1}');
    expect(await readdir(join(ws, '.labforge'))).toEqual(['settings.json']);
    expect(await readFileInside(ws, join(ws, '.labforge', 'settings.json'))).toBe('{"a":1}');
  });

  it('refuses a folder link that leads out, and writes nothing behind it', async () => {
    await symlink(outside, join(ws, '.labforge'));
    await expect(writeFileInside(ws, join(ws, '.labforge', 'settings.json'), 'x')).rejects.toBeInstanceOf(OutsideRootError);
    await expect(writeFileInside(ws, join(ws, '.labforge', 'deep', 'settings.json'), 'x')).rejects.toThrow(/leads outside .* through the symbolic link .*\.labforge/);
    expect(await readdir(outside)).toEqual([]);
    await expect(readFileInside(ws, join(ws, '.labforge', 'settings.json'))).rejects.toBeInstanceOf(OutsideRootError);
  });

  it('refuses a dangling link and a link deeper on the way', async () => {
    await symlink(join(outside, 'not-yet'), join(ws, '.labforge'));
    await expect(ensureDirInside(ws, join(ws, '.labforge'))).rejects.toBeInstanceOf(OutsideRootError);
    await rm(join(ws, '.labforge'));
    await mkdir(join(ws, '.labforge'));
    await symlink(outside, join(ws, '.labforge', 'sub'));
    await expect(writeFileInside(ws, join(ws, '.labforge', 'sub', 'f'), 'x')).rejects.toBeInstanceOf(OutsideRootError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows links that stay inside the root', async () => {
    await mkdir(join(ws, 'real'));
    await symlink(join(ws, 'real'), join(ws, '.labforge'));
    await writeFileInside(ws, join(ws, '.labforge', 'f.json'), 'ok');
    expect(await readFile(join(ws, 'real', 'f.json'), 'utf8')).toBe('ok');
  });

  it('replaces a link at the file name instead of writing through it, and never reads through one', async () => {
    await mkdir(join(ws, '.labforge'));
    await writeFile(join(outside, 'victim'), 'original');
    await symlink(join(outside, 'victim'), join(ws, '.labforge', 'settings.json'));
    await expect(readFileInside(ws, join(ws, '.labforge', 'settings.json'))).rejects.toBeInstanceOf(OutsideRootError);
    await writeFileInside(ws, join(ws, '.labforge', 'settings.json'), 'new');
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('original');
    expect((await lstat(join(ws, '.labforge', 'settings.json'))).isFile()).toBe(true);
  });

  it('refuses a path that is lexically outside the root', async () => {
    await expect(writeFileInside(ws, join(ws, '..', 'outside', 'f'), 'x')).rejects.toBeInstanceOf(OutsideRootError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('reads a FIFO as an error instead of blocking', async () => {
    execFileSync('mkfifo', [join(ws, 'pipe')]);
    await expect(readFileInside(ws, join(ws, 'pipe'))).rejects.toThrow(/not a regular file/);
  });
});

describe('browser-mode settings in the workspace', () => {
  it('are never written through a .labforge link that leads out of the workspace', async () => {
    await symlink(outside, join(ws, '.labforge'));
    await writeFile(join(outside, 'settings.json'), '{"theme":"dark"}');
    const settings = createJsonSettings(join(ws, '.labforge', 'settings.json'), ws);
    // Not read through the link either: the defaults.
    expect((await settings.get()).theme).toBe('light');
    await expect(settings.update({ theme: 'dark' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^settings: .*leads outside/) });
    expect(await readFile(join(outside, 'settings.json'), 'utf8')).toBe('{"theme":"dark"}');
  });

  it('work normally in a plain workspace', async () => {
    const settings = createJsonSettings(join(ws, '.labforge', 'settings.json'), ws);
    expect((await settings.update({ theme: 'dark' })).theme).toBe('dark');
    expect((await settings.get()).theme).toBe('dark');
  });
});
