import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHost } from '../api/host';
import { createMemorySettings } from '../api/settings';
import { addGrant, createGrantStore, decodeGrants, grantablePath, MAX_GRANTS } from './grants';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-grants-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('file grant policy', () => {
  it('accepts only absolute, normalised paths without NUL', () => {
    expect(grantablePath('/home/t/lab.yaml')).toBe(true);
    for (const bad of ['', 'lab.yaml', '../etc/passwd', '/a/../etc/passwd', '/a//b', '/a\0b', 42, null, `/${'a'.repeat(5000)}`]) expect(grantablePath(bad), String(bad)).toBe(false);
  });

  it('decodes a grants file leniently, dropping bad entries instead of repairing them', () => {
    expect(decodeGrants(null)).toEqual([]);
    expect(decodeGrants({ files: 'x' })).toEqual([]);
    expect(
      decodeGrants({
        files: [
          { path: '/ok.yaml', access: 'write' },
          { path: 'relative.yaml', access: 'write' },
          { path: '/x/../etc/shadow', access: 'read' },
          { path: '/root.yaml', access: 'admin' },
          { path: '/ok.yaml', access: 'read' },
          { path: '/r.yaml', access: 'read' },
          'junk',
        ],
      }),
    ).toEqual([
      { path: '/ok.yaml', access: 'write' },
      { path: '/r.yaml', access: 'read' },
    ]);
    const many = { files: Array.from({ length: 500 }, (_, i) => ({ path: `/f${i}.yaml`, access: 'read' })) };
    expect(decodeGrants(many)).toHaveLength(MAX_GRANTS);
  });

  it('keeps one entry per path, newest first, capped', () => {
    let g = addGrant([], { path: '/a', access: 'read' });
    g = addGrant(g, { path: '/b', access: 'write' });
    g = addGrant(g, { path: '/a', access: 'write' });
    expect(g).toEqual([
      { path: '/a', access: 'write' },
      { path: '/b', access: 'write' },
    ]);
    for (let i = 0; i < 2 * MAX_GRANTS; i++) g = addGrant(g, { path: `/f${i}`, access: 'read' });
    expect(g).toHaveLength(MAX_GRANTS);
  });
});

describe('grant store', () => {
  it('remembers dialog choices across restarts and re-checks them when loading', async () => {
    const files = join(dir, 'files');
    await mkdir(files);
    await writeFile(join(files, 'lab.yaml'), 'x');
    const userData = join(dir, 'user-data');
    const store = createGrantStore(userData);
    await store.record(join(files, 'lab.yaml'), 'write');
    await store.record(join(files, 'new.yaml'), 'write'); // a save target not written yet
    await store.record(join(dir, 'gone', 'x.yaml'), 'write');
    await expect(store.record('relative.yaml', 'write')).rejects.toThrow(/not a grantable path/);
    const again = createGrantStore(userData);
    expect((await again.load()).map((g) => g.path)).toEqual([join(files, 'new.yaml'), join(files, 'lab.yaml')]);
  });

  it('ignores a grants file that is damaged or a link', async () => {
    const userData = join(dir, 'user-data');
    await mkdir(userData);
    await writeFile(join(userData, 'file-grants.json'), '{"files": [');
    expect(await createGrantStore(userData).load()).toEqual([]);
  });
});

describe('Electron host: grants come only from main', () => {
  it('a path the renderer puts in settings.recent grants nothing, before or after a restart', async () => {
    const secret = join(dir, 'secret.yaml');
    await writeFile(secret, 'token: hunter2');
    const settings = createMemorySettings();
    const userData = join(dir, 'user-data');
    const grants = createGrantStore(userData);
    const boot = async () => {
      const host = createHost({ mode: 'electron', version: '1', workspace: null, examplesDir: join(dir, 'examples'), settings });
      // What main/index.ts does at startup.
      for (const g of await grants.load()) await host.paths.grant(g.path, g.access);
      return host;
    };
    const first = await boot();
    // A compromised renderer adds any path it likes to the recent list.
    expect(await first.dispatch('settings.addRecent', { path: secret })).toMatchObject({ ok: true });
    expect(await first.dispatch('settings.update', { patch: { recent: [secret, '/etc/passwd'] } })).toMatchObject({ ok: true });
    expect(await first.dispatch('file.read', { path: secret })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const restarted = await boot();
    expect(await restarted.dispatch('file.read', { path: secret })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await restarted.dispatch('file.read', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A dialog choice (main records it) is allowed after a restart.
    await grants.record(secret, 'write');
    const third = await boot();
    expect(await third.dispatch('file.read', { path: secret })).toMatchObject({ ok: true, value: { text: 'token: hunter2' } });
  });
});
