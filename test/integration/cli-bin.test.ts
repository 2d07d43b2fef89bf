/**
 * The installed `labforge` command as a process: bin/labforge.mjs runs the bundle, rebuilds it
 * when a source it was built from changed (so no test or script runs stale code), and stops
 * quietly when its reader closes the pipe early.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/labforge.mjs');
const INPUTS = join(ROOT, 'out/main/cli.inputs.json');

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LABFORGE_FROM_SOURCE: '' } });

describe('bin/labforge.mjs', () => {
  it('runs the bundle and rebuilds it when a source file it was built from is newer', () => {
    expect(run('--help').status).toBe(0);
    const before = JSON.parse(readFileSync(INPUTS, 'utf8')) as { builtAt: number; inputs: string[] };
    expect(before.inputs).toContain('main/cli/commands/lab.ts');
    // Mark a source as changed (same content, new time), as an edit would.
    const source = join(ROOT, 'main/cli/errors.ts');
    const now = new Date();
    utimesSync(source, now, now);
    const r = run('validate', 'resources/examples/web-db.yaml');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid lab "web-db"');
    const after = JSON.parse(readFileSync(INPUTS, 'utf8')) as { builtAt: number };
    expect(after.builtAt).toBeGreaterThan(before.builtAt);
    expect(statSync(join(ROOT, 'out/main/cli.js')).mtimeMs).toBeGreaterThanOrEqual(after.builtAt);
    // Up to date now: the next run does not build again.
    expect(run('--help').status).toBe(0);
    expect((JSON.parse(readFileSync(INPUTS, 'utf8')) as { builtAt: number }).builtAt).toBe(after.builtAt);
  }, 60_000);

  it('exits quietly with 0 when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, [BIN, 'compile', 'resources/examples/web-db.yaml', '--students', '200'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 60_000);

  it('answers a bad flag value with exit 2 as a process', () => {
    const r = run('create', 'vm', '--cpu', '1e40');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--cpu is above the maximum of 1000');
  });
});
