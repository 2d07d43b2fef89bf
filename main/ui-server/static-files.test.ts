import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf, resolveStaticFile } from './static-files';

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-static-'));
  root = join(dir, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'data.bin'), 'x');
  await writeFile(join(dir, 'secret.txt'), 'secret');
  await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'escape.js'));
  await symlink(join(root, 'assets', 'app.js'), join(root, 'assets', 'alias.js'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const resolve = (path: string) => resolveStaticFile(root, path);

describe('renderer static files', () => {
  it('does not serve source maps, however the name is spelled', async () => {
    await writeFile(join(root, 'assets', 'app.js.map'), '{"version":3}');
    for (const p of ['/assets/app.js.map', '/assets/app.js.MAP', '/assets/app.js%2Emap', '/assets/app.js.m%61p']) expect(await resolve(p), p).toMatchObject({ ok: false, status: 404 });
  });

  it('answers bad percent-encoding with 400 instead of throwing', async () => {
    for (const p of ['/%', '/%E0%A4%A', '/assets/%ZZ.js', '/%C0%AF']) expect(await resolve(p), p).toMatchObject({ ok: false, status: 400 });
  });

  it('serves files inside the folder with their MIME type and caching', async () => {
    expect(await resolve('/assets/app.js')).toMatchObject({ ok: true, path: join(root, 'assets', 'app.js'), contentType: 'text/javascript; charset=utf-8', cacheControl: 'private, max-age=3600', size: 14 });
    expect(await resolve('/')).toMatchObject({ ok: true, path: join(root, 'index.html'), contentType: 'text/html; charset=utf-8', cacheControl: 'no-store' });
    expect(await resolve('/assets/data.bin')).toMatchObject({ ok: true, contentType: 'application/octet-stream' });
  });

  it('knows the renderer’s MIME types, whatever the case of the extension', () => {
    expect(contentTypeOf('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('a.svg')).toBe('image/svg+xml');
    expect(contentTypeOf('a.woff2')).toBe('font/woff2');
    expect(contentTypeOf('a.wasm')).toBe('application/wasm');
    expect(contentTypeOf('noext')).toBe('application/octet-stream');
  });

  it('sends client-side routes and folders to index.html, and missing assets to 404', async () => {
    expect(await resolve('/some/route')).toMatchObject({ ok: true, path: join(root, 'index.html') });
    expect(await resolve('/assets')).toMatchObject({ ok: true, path: join(root, 'index.html') });
    expect(await resolve('/assets/missing.js')).toEqual({ ok: false, status: 404, message: 'not found' });
  });

  it('refuses traversal, encoded or not', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await resolve(path);
      // Refused, or normalised back inside the folder: never the file outside it.
      if (r.ok) expect(r.path.startsWith(`${root}/`), path).toBe(true);
    }
    expect(await resolve('/%2e%2e/secret.txt')).toMatchObject({ ok: false, status: 404 });
    // A path that does not start at the root cannot climb out either.
    expect(await resolve('..%2fsecret.txt')).toMatchObject({ ok: false, status: 403 });
    expect(await resolve('assets/../../secret.txt')).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses NUL bytes and bad percent-encoding', async () => {
    expect(await resolve('/index.html%00.js')).toMatchObject({ ok: false, status: 403 });
    expect(await resolve('/assets/%00')).toMatchObject({ ok: false, status: 403 });
    expect(await resolve('/%E0%A4%A')).toEqual({ ok: false, status: 400, message: 'bad path' });
    expect(await resolve('/%')).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses a symbolic link that leads out of the folder, follows one that stays inside', async () => {
    expect(await resolve('/assets/escape.js')).toMatchObject({ ok: false, status: 403 });
    expect(await resolve('/assets/alias.js')).toMatchObject({ ok: true, size: 14 });
  });

  it('says so when the renderer is not built', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    expect(await resolveStaticFile(empty, '/')).toMatchObject({ ok: false, status: 500 });
  });
});
