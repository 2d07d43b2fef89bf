/**
 * `labforge ui` as a process: its one-time link is spent by the first browser session; a browser
 * that lost its session (a restart) is told how to get a new link, and Enter in the server's
 * terminal prints one that works once. The new link carries a fresh token like the first.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/labforge.mjs');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let child: ChildProcessWithoutNullStreams | undefined;
afterAll(() => {
  child?.kill('SIGINT');
});

describe('labforge ui links', () => {
  it('prints a new one-time link when Enter is pressed in its terminal', async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'labforge-ui-link-'));
    child = spawn(process.execPath, [BIN, 'ui', '--no-open', '--port', '0', '--workspace', workspace], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const links = async (n: number) => {
      for (let i = 0; i < 600 && (out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/g) ?? []).length < n; i++) await new Promise((r) => setTimeout(r, 100));
      return out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/g) ?? [];
    };
    const [first] = await links(1);
    expect(first, out).toBeDefined();
    expect(out).toContain('Press Enter for a new link');
    expect((await get(first!)).status).toBe(302);
    // The browser restarted: no cookie, and the old link is spent.
    const origin = new URL(first!).origin;
    const refused = await get(`${origin}/`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('press Enter in the terminal where `labforge ui` runs');
    expect((await get(first!)).status).toBe(403);

    child.stdin.write('\n');
    const all = await links(2);
    expect(all).toHaveLength(2);
    const fresh = all[1]!;
    expect(fresh).not.toBe(first);
    expect((await get(fresh)).status).toBe(302);
    expect((await get(fresh)).status).toBe(403);
  }, 120_000);
});
