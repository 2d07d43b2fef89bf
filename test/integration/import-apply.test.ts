// Every imported compose file and containerlab topology becomes a lab that compiles and is
// accepted by the real API server (server-side apply into a student namespace), through the
// real `labforge import` command; malformed inputs get positioned errors and write nothing.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compileLab } from '../../common/compile';
import { parseLab } from '../../common/lab';
import { applyAll } from '../../main/kube/apply';
import { DEPLOYMENT, NAMESPACE, STATEFUL_SET } from '../../main/kube/kinds';
import { adminCluster, ROOT } from './helpers/engine';
import { randomId } from './helpers/kube';

const run = promisify(execFile);
const cluster = adminCluster();
const created: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'labforge-import-'));

afterAll(async () => {
  for (const name of created) await cluster.delete(NAMESPACE, name).catch(() => undefined);
  cluster.close();
});

async function labforge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const fixtures = (['compose', 'containerlab'] as const).flatMap((format) =>
  readdirSync(join(ROOT, 'test/fixtures/import', format)).map((file) => ({ format, file })),
);

describe('labforge import, compiled and applied on the local control plane', () => {
  it('has at least 6 compose files and 4 containerlab topologies', () => {
    expect(fixtures.filter((f) => f.format === 'compose').length).toBeGreaterThanOrEqual(6);
    expect(fixtures.filter((f) => f.format === 'containerlab').length).toBeGreaterThanOrEqual(4);
  });

  for (const { format, file } of fixtures) {
    it(`${format} ${file}`, async () => {
      const out = join(dir, `${file}.lab.yaml`);
      const r = await labforge('import', format, join('test/fixtures/import', format, file), '-o', out);
      expect(r.stderr).toMatch(/wrote .*lab "/);
      expect(r.code).toBe(0);
      // Every warning line is positioned in the source file.
      for (const line of r.stderr.split('\n').filter((l) => l.endsWith('(warning)'))) {
        expect(line).toMatch(new RegExp(`^test/fixtures/import/${format}/${file.replace(/\./g, '\\.')}:\\d+:\\d+: `));
      }
      const parsed = parseLab(readFileSync(out, 'utf8'));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const lab = parsed.lab;
      const namespace = `imp-${randomId()}`;
      created.push(namespace);
      const objects = compileLab(lab, { namespace, class: 'imp', student: 's1', release: 'v1' });
      const applied = await applyAll(cluster, objects);
      expect(applied.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`));
      // One workload per node, as the API server stored it.
      for (const node of lab.nodes) {
        const workload = (await cluster.read(DEPLOYMENT, node.name, namespace)) ?? (await cluster.read(STATEFUL_SET, node.name, namespace));
        expect(workload, node.name).toBeTruthy();
        const containers = ((workload!['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers);
        expect(containers[0]!.image).toBe(node.image);
      }
    });
  }

  it('refuses malformed input with positioned errors and writes nothing', async () => {
    const bad = join(dir, 'bad-compose.yaml');
    writeFileSync(bad, 'services:\n  web:\n    image: nginx\n    networks: [nowhere]\n');
    const out = join(dir, 'never.yaml');
    const r = await labforge('import', 'compose', bad, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:4:5: services.web.networks: network "nowhere" is not declared`);
    expect(existsSync(out)).toBe(false);

    const clab = join(dir, 'bad.clab.yml');
    writeFileSync(clab, 'name: t\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine}\n  links:\n    - endpoints: ["a:eth1", "z:eth1"]\n');
    const r2 = await labforge('import', 'containerlab', clab);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${clab}:6:7: topology.links[0]: link endpoint "z:eth1" names no node`);

    const r3 = await labforge('import', 'helm', bad);
    expect(r3.code).toBe(2);
  });
});
