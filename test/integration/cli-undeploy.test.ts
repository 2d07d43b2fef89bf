/**
 * `labforge undeploy` on the real local control plane: a lab deployed to dev (with a volume) is
 * listed first (what would be lost, by name) and kept until --yes; then its dev namespace is
 * deleted and gone. A namespace that is not the lab's dev namespace is refused.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { deploy } from '../../main/engine/deploy';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { adminCluster, exampleLab, lightweight, ROOT, uniqueLab } from './helpers/engine';
import { testKubeconfigPath } from './helpers/kube';

const BIN = join(ROOT, 'bin/labforge.mjs');
let client: HttpCluster;
let lab: Lab;
let other: Lab;

const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--kubeconfig', testKubeconfigPath()], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });

beforeAll(async () => {
  client = adminCluster();
  lab = lightweight(uniqueLab(exampleLab('web-db.yaml'), 'ud'));
  other = lightweight(uniqueLab(exampleLab('routing-lab.yaml'), 'ud'));
  // Applied, not waited for: deleting does not care whether the nodes got ready.
  await deploy(client, lab, { wait: false });
  await deploy(client, other, { wait: false });
}, 180_000);

afterAll(async () => {
  for (const l of [lab, other]) if (l) await client.delete(NAMESPACE, devNamespace(l.metadata.name)).catch(() => undefined);
  client?.close();
});

describe('labforge undeploy', () => {
  it('says what would be lost and keeps the namespace without --yes', () => {
    const r = cli('undeploy', lab.metadata.name);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`this would delete ${devNamespace(lab.metadata.name)}`);
    expect(r.stderr).toMatch(/the data in 1 volume \(pgdata[^)]*\)/);
    expect(r.stderr).toContain('--yes');
  });

  it('refuses a namespace that is not the lab’s dev namespace', async () => {
    const r = cli('undeploy', lab.metadata.name, '--namespace', devNamespace(other.metadata.name), '--yes');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`belongs to lab ${other.metadata.name}`);
    expect(await client.read(NAMESPACE, devNamespace(other.metadata.name))).toBeTruthy();
  });

  it('deletes the dev namespace with --yes and waits until it is gone', async () => {
    expect(await client.read(NAMESPACE, devNamespace(lab.metadata.name))).toBeTruthy();
    const r = cli('undeploy', lab.metadata.name, '--yes');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`deleted ${devNamespace(lab.metadata.name)}`);
    expect(await client.read(NAMESPACE, devNamespace(lab.metadata.name))).toBeFalsy();
    // Nothing left: asking again says nothing is deployed.
    const again = cli('undeploy', lab.metadata.name, '--yes');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('nothing is deployed');
  }, 180_000);
});
