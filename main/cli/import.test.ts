// `labforge import compose` with env files and project names, run in-process on the fixtures.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../common/lab/parse';
import { importCommands } from './commands/import';
import { runCli } from './program';

const root = join(import.meta.dirname, '../..');
const project = join(root, 'test/fixtures/import/compose-project/Shop.Demo_2');

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [importCommands]);
  return { code, stdout, stderr };
}

function lab(stdout: string) {
  const r = parseLab(stdout);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.lab;
}

describe('labforge import compose: variables and names', () => {
  it('reads the .env beside the compose file and names the lab after its folder', async () => {
    const file = join(project, 'compose.yaml');
    const r = await cli('import', 'compose', file);
    expect(r.code, r.stderr).toBe(0);
    const l = lab(r.stdout);
    expect(l.metadata.name).toBe('shopdemo-2');
    expect(l.nodes[0]).toMatchObject({
      image: 'example/shop-web:2.1',
      env: { DB_PASSWORD: 's3cret with spaces', GREETING: 'hello $USER' },
      volumes: [{ volume: 'data', mountPath: '/srv/data' }],
    });
    expect(r.stderr).toContain(`${file}:6:9: services.web.ports[0]: service "web" publishes port 8000 on host port 8088;`);
    expect(r.stderr).toContain('exposures: [{node: web, port: 8000}] (warning)');
  });

  it('uses --env-file instead of .env, later files winning, and -p for the name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labforge-import-env-'));
    writeFileSync(join(dir, 'extra.env'), 'DATA_DIR=/var/lib/shop/\nTAG=2.2\n');
    const file = join(project, 'compose.yaml');
    const r = await cli('import', 'compose', file, '--env-file', join(project, 'staging.env'), '--env-file', join(dir, 'extra.env'), '-p', 'Shop Staging');
    expect(r.code, r.stderr).toBe(0);
    const l = lab(r.stdout);
    expect(l.metadata.name).toBe('shopstaging');
    expect(l.nodes[0]).toMatchObject({ image: 'example/shop-web:2.2', env: { DB_PASSWORD: 'staging', GREETING: '' }, volumes: [{ mountPath: '/var/lib/shop' }] });
    // .env is not read when --env-file is given: GREETING is unset, said at its line.
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:9:17: services\\.web\\.environment\\.GREETING: variable "GREETING" is not set`));
  });

  it('refuses with the position of a required variable, and of a bad env file line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labforge-import-env-'));
    cpSync(join(project, 'compose.yaml'), join(dir, 'compose.yaml'));
    const out = join(dir, 'lab.yaml');
    const r = await cli('import', 'compose', join(dir, 'compose.yaml'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'compose.yaml')}:8:20: services.web.environment.DB_PASSWORD: variable "DB_PASSWORD" must be set and not empty; the file says: "DB_PASSWORD must be set"`);

    writeFileSync(join(dir, '.env'), 'TAG=1\nthis is not a line\n');
    const r2 = await cli('import', 'compose', join(dir, 'compose.yaml'));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${join(dir, '.env')}:2:1: "this is not a line" is not a variable name`);
  });

  it('refuses a missing --env-file, and compose flags for containerlab', async () => {
    const file = join(project, 'compose.yaml');
    const r = await cli('import', 'compose', file, '--env-file', join(project, 'nope.env'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.env');
    const clab = join(root, 'test/fixtures/import/containerlab/linux-pair.clab.yml');
    expect((await cli('import', 'containerlab', clab, '-p', 'x')).code).toBe(2);
  });

  it('writes a lab that the fixture names in the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labforge-import-env-'));
    const out = join(dir, 'lab.yaml');
    const r = await cli('import', 'compose', join(root, 'test/fixtures/import/compose/wordpress-mysql.yaml'), '-o', out);
    expect(r.code, r.stderr).toBe(0);
    // The fixtures folder holds the file, so compose would call the project "compose".
    expect(r.stderr).toMatch(/wrote .*: lab "compose" with 2 nodes, \d+ warnings/);
    expect(lab(readFileSync(out, 'utf8')).metadata.name).toBe('compose');
  });
});
