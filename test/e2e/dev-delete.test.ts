// Deleting the dev namespace from the app (issue 24), in Chromium against the real engine and the
// real local control plane: Cluster › Delete dev namespace… asks first, saying which volume's
// data is lost; Cancel keeps the namespace; confirming deletes it and the operation ends done.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { deploy } from '../../main/engine/deploy';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { exampleLab } from '../helpers/examples';
import { localCluster, openLabInUi, RESULTS, type LabInUi } from './helpers';

let cluster: HttpCluster;
let lab: Lab;
let ui: LabInUi;

beforeAll(async () => {
  const local = await localCluster();
  cluster = connect({ kubeconfig: local.up.kubeconfig });
  lab = exampleLab('web-db.yaml');
  lab.metadata.name = `e2e-undeploy-${Math.random().toString(16).slice(2, 8)}`;
  for (const n of lab.nodes) n.resources = { requests: { cpu: '10m', memory: '16Mi' } };
  await deploy(cluster, lab, { wait: false });
  ui = await openLabInUi(lab, { tmpPrefix: 'labforge-undeploy-', node: 'db' });
}, 180_000);

afterAll(async () => {
  await ui?.browser.close();
  await ui?.server.close();
  await cluster?.delete(NAMESPACE, devNamespace(lab.metadata.name)).catch(() => undefined);
  cluster?.close();
});

describe('Cluster › Delete dev namespace…', () => {
  it('asks first, naming the namespace and the volume whose data is lost; Cancel keeps it; confirming deletes it', async () => {
    const { page } = ui;
    const ns = devNamespace(lab.metadata.name);
    const open = async () => {
      await page.click('[data-testid=menu-cluster]');
      await page.click('[data-testid=cmd-undeploy]');
      await page.locator('[data-testid=confirm-dialog]').waitFor({ timeout: 30_000 });
    };
    await open();
    const text = await page.locator('[data-testid=confirm-dialog]').innerText();
    expect(text).toContain(`Delete ${ns}?`);
    expect(text).toMatch(/the data in 1 volume \(pgdata[^)]*\) is lost for good/);
    expect(text).toContain('Releases stay');
    await page.screenshot({ path: join(RESULTS, 'laptop-1440x900-delete-dev-confirm.png') });
    await page.click('[data-testid=confirm-cancel]');
    await page.waitForTimeout(500);
    expect(await cluster.read(NAMESPACE, ns)).toBeTruthy();

    await open();
    await page.click('[data-testid=confirm-ok]');
    await page.locator('[data-testid=op-panel][data-state=done]').waitFor({ timeout: 150_000 });
    expect(await cluster.read(NAMESPACE, ns)).toBeFalsy();
    // Asked again, there is nothing to delete, and it says so.
    await page.click('[data-testid=menu-cluster]');
    await page.click('[data-testid=cmd-undeploy]');
    await page.locator('.notice', { hasText: 'nothing is deployed' }).waitFor();
    expect(ui.errors).toEqual([]);
  }, 240_000);
});
