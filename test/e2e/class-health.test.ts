// The class's health panel in the app, against the real local control plane: a class published
// with an end date and web links shows the warning and each student's link; an object changed
// by hand shows up as drift for that student, by object and field, and Repair puts it back; the
// end date is set and cleared from the panel and the class settings on the cluster follow.
import { AppsV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { readClassSettings } from '../../main/engine/reconcile-settings';
import type { Lab } from '../../common/lab';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { openLabInUi, RESULTS, type LabInUi } from './helpers';
import { publishedClass, type PublishedClass } from './published-class';

const suffix = Math.random().toString(16).slice(2, 8);
const className = `e2e-health-${suffix}`;
const domain = 'labs.example.test';
let kc: KubeConfig;
let cluster: HttpCluster;
let lab: Lab;
let ui: LabInUi;
let klass: PublishedClass | undefined;

const labText = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: health-e2e-${suffix}
nodes:
  - name: web
    kind: container
    image: nginx:1.27
    ports:
      - port: 80
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 10m, memory: 16Mi }
exposures:
  - node: web
    port: 80
`;

beforeAll(async () => {
  // Ends in 10 hours: inside the warning period, so the panel warns.
  const expiresAt = new Date(Date.now() + 10 * 3600_000).toISOString();
  klass = await publishedClass(labText, className, 3, { domain, links: 'readable', expiresAt });
  ({ kc, cluster, lab } = klass);
  ui = await openLabInUi(lab, { tmpPrefix: 'labforge-health-', node: 'web' });
  await ui.page.locator('[data-testid=view-class]').click();
  await ui.page.locator('[data-testid=class-name]').fill(className);
  await ui.page.locator('[data-testid=class-open]').click();
  await ui.page.locator('[data-testid=class-health]').waitFor();
}, 300_000);

afterAll(async () => {
  await ui?.browser.close();
  await ui?.server.close();
  await klass?.remove();
});

/** Reopens the class, so the panel reads class.health now rather than at its next refresh. */
async function reopenClass(): Promise<void> {
  const page = ui.page;
  await page.locator('[data-testid=view-canvas]').click();
  await page.locator('[data-testid=view-class]').click();
  await page.locator('[data-testid=class-name]').fill(className);
  await page.locator('[data-testid=class-open]').click();
  await page.locator('[data-testid=class-health]').waitFor();
}

describe('the class health panel', () => {
  it('shows the end date warning, no drift, and one web link per student under the class domain', async () => {
    const page = ui.page;
    await page.locator('[data-testid=class-expiry-warning]').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=class-expiry-warning]').innerText()).resolves.toMatch(/in (9|10)h/);
    await page.locator('[data-testid=drift-summary]', { hasText: 'every student matches their release' }).waitFor({ timeout: 30_000 });
    const hosts: string[] = [];
    for (const s of ['student-01', 'student-02', 'student-03']) {
      const href = await page.locator(`[data-testid="links-${s}"] a`).getAttribute('href');
      expect(href).toMatch(new RegExp(`^https?://[a-z0-9.-]+\\.${domain.replace(/\./g, '\\.')}/?$`));
      hosts.push(new URL(href!).host);
    }
    expect(new Set(hosts).size).toBe(3);
    expect(ui.errors).toEqual([]);
  });

  it('names the student, object and field changed by hand, and Repair puts it back', { timeout: 180_000 }, async () => {
    const ns = studentNamespace(className, 'student-02');
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.replaceNamespacedDeploymentScale({ namespace: ns, name: 'web', body: { metadata: { name: 'web', namespace: ns }, spec: { replicas: 0 } }, fieldManager: 'kubectl' });
    const networking = kc.makeApiClient(NetworkingV1Api);
    const policies = (await networking.listNamespacedNetworkPolicy({ namespace: ns })).items;
    expect(policies.length).toBeGreaterThan(0);
    await networking.deleteNamespacedNetworkPolicy({ namespace: ns, name: policies[0]!.metadata!.name! });

    await reopenClass();
    const page = ui.page;
    await page
      .locator('[data-testid=drift-summary]', { hasText: '1 student differs from their release' })
      .waitFor({ timeout: 30_000 })
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\npanel: ${await page.locator('[data-testid=class-health]').innerText()}`);
      });
    const rows = await page.locator('[data-testid="drift-student-02"]').allInnerTexts();
    expect(rows.some((r) => /Deployment\/web spec\.replicas: 0 \(want 1\)/.test(r))).toBe(true);
    expect(rows.some((r) => r.includes(`NetworkPolicy/${policies[0]!.metadata!.name!} is missing`))).toBe(true);
    expect(await page.locator('[data-testid="drift-student-01"]').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'class-health-drift.png') });

    await page.locator('[data-testid=drift-repair]').click();
    await page.locator('[data-testid=drift-summary]', { hasText: 'every student matches their release' }).waitFor({ timeout: 60_000 });
    const scale = await apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
    expect(scale.spec?.replicas).toBe(1);
    await networking.readNamespacedNetworkPolicy({ namespace: ns, name: policies[0]!.metadata!.name! });
    expect(ui.errors).toEqual([]);
  });

  it('sets and clears the end date from the panel, and the class settings follow', async () => {
    const page = ui.page;
    await page.locator('[data-testid=class-expiry-input]').fill('30d');
    await page.locator('[data-testid=class-expiry-set]').click();
    // 30 days out is past the warning period: no warning, and the date is shown.
    await page.locator('[data-testid=class-expiry-warning]').waitFor({ state: 'detached', timeout: 30_000 });
    const stored = await readClassSettings(cluster, className);
    const days = (Date.parse(stored!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    await expect(page.locator('[data-testid=class-expiry]').innerText()).resolves.not.toBe('none');

    await page.locator('[data-testid=class-expiry-clear]').click();
    await page.locator('[data-testid=class-expiry]', { hasText: 'none' }).waitFor({ timeout: 30_000 });
    expect((await readClassSettings(cluster, className))?.expiresAt).toBeUndefined();
    expect(ui.errors).toEqual([]);
  });
});
