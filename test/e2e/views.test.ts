import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctrl, openApp, openFromDialog, RESULTS, type Session } from './helpers';

let s: Session;
let api: Server;
const savedKubeconfig = process.env['KUBECONFIG'];

beforeAll(async () => {
  // A loopback stand-in for an API server's /version, and a kubeconfig with two contexts.
  api = createServer((req, res) => {
    res.writeHead(req.url === '/version' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gitVersion: 'v1.33.0-e2e' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  s = await openApp();
  const kubeconfig = join(s.workspace, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: class-cluster
clusters:
- { name: local, cluster: { server: "http://127.0.0.1:${(api.address() as AddressInfo).port}", insecure-skip-tls-verify: true } }
- { name: gone, cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true } }
users:
- { name: me, user: { token: secret-token-xyz } }
contexts:
- { name: class-cluster, context: { cluster: local, user: me, namespace: labs } }
- { name: old-cluster, context: { cluster: gone, user: me } }
`,
  );
  process.env['KUBECONFIG'] = kubeconfig;
});
afterAll(async () => {
  if (savedKubeconfig === undefined) delete process.env['KUBECONFIG'];
  else process.env['KUBECONFIG'] = savedKubeconfig;
  await s?.close();
  api?.close();
});

describe('views, theme and cluster picker', () => {
  it('switches canvas ↔ YAML without losing data; invalid YAML shows line:col and keeps the canvas', async () => {
    const { page } = s;
    await openFromDialog(page, 'web-db.yaml');
    await page.locator('[data-testid="volume-pgdata"]').waitFor();
    await page.screenshot({ path: join(RESULTS, 'view-canvas.png') });

    await page.click('[data-testid=view-yaml]');
    const editor = page.locator('[data-testid=yaml-editor]');
    await expect.poll(() => editor.inputValue()).toContain('name: web-db');
    const original = await editor.inputValue();
    expect(original).toContain('layout:');
    await page.screenshot({ path: join(RESULTS, 'view-yaml.png') });

    // A valid edit applies to the canvas.
    await editor.fill(original.replace('size: 2Gi', 'size: 3Gi'));
    await page.waitForTimeout(700);
    await page.click('[data-testid=view-canvas]');
    await expect.poll(() => page.locator('[data-testid="volume-pgdata"]').innerText()).toContain('3Gi');

    // An invalid edit: error with position, canvas untouched, draft kept across switches.
    await page.click('[data-testid=view-yaml]');
    await expect.poll(() => editor.inputValue()).toContain('size: 3Gi');
    const broken = (await editor.inputValue()).replace('kind: Lab', 'kind: Lab\nnodes: [');
    await editor.fill(broken);
    await expect.poll(() => page.locator('[data-testid=yaml-errors]').innerText()).toMatch(/\d+:\d+/);
    await page.screenshot({ path: join(RESULTS, 'view-yaml-error.png') });
    await page.click('[data-testid=view-canvas]');
    await page.locator('[data-testid="node-web"]').waitFor();
    await page.locator('[data-testid="node-db"]').waitFor();
    await expect(page.locator('[data-testid="volume-pgdata"]').innerText()).resolves.toContain('3Gi');
    await page.click('[data-testid=view-yaml]');
    await expect.poll(() => editor.inputValue()).toBe(broken);

    // Undo in the canvas brings back the 2Gi version.
    await page.click('[data-testid=view-canvas]');
    await page.locator('[data-testid="node-web"]').waitFor();
    await page.keyboard.press(`${ctrl}+KeyZ`);
    await expect.poll(() => page.locator('[data-testid="volume-pgdata"]').innerText()).toContain('2Gi');
  });

  it('shows the compiled preview for the dev namespace', async () => {
    const { page } = s;
    await page.click('[data-testid=view-compiled]');
    const pre = page.locator('[data-testid=compiled-yaml]');
    await expect.poll(() => pre.innerText()).toContain('kind: NetworkPolicy');
    const text = await pre.innerText();
    expect(text).toContain('namespace: web-db-dev');
    expect(text).toMatch(/kind: (Deployment|StatefulSet|Pod)/);
    await page.screenshot({ path: join(RESULTS, 'view-compiled.png') });
    await page.click('[data-testid=view-canvas]');
  });

  it('toggles the dark theme and persists it in the workspace settings', async () => {
    const { page } = s;
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    await expect
      .poll(async () => JSON.parse(await readFile(join(s.workspace, '.labforge', 'settings.json'), 'utf8').catch(() => '{}')).theme)
      .toBe('dark');
    await page.locator('[data-testid="node-db"]').click();
    await page.screenshot({ path: join(RESULTS, 'view-dark.png') });
    await page.reload();
    await expect.poll(() => page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    // Recent labs survive the reload as well.
    await page.click('[data-testid=menu-file]');
    await page.click('[data-testid=cmd-open]');
    await page.locator('[data-testid=open-dialog] h4', { hasText: 'Recent' }).waitFor();
    await page.keyboard.press('Escape');
    await page.click('[data-testid=theme-toggle]');
  });

  it('lists kubeconfig contexts without credentials, tests them, and keeps the choice', async () => {
    const { page } = s;
    await page.click('[data-testid=status-context]');
    const dialog = page.locator('[data-testid=cluster-dialog]');
    await dialog.locator('[data-testid="ctx-class-cluster"]').waitFor();
    await dialog.locator('[data-testid="ctx-old-cluster"]').waitFor();
    expect(await page.content()).not.toContain('secret-token-xyz');
    await dialog.locator('[data-testid="ctx-test-class-cluster"]').click();
    await expect.poll(() => dialog.locator('[data-testid="ctx-class-cluster"] .test-result').innerText()).toMatch(/connected .*v1\.33\.0-e2e/);
    await dialog.locator('[data-testid="ctx-test-old-cluster"]').click();
    await expect.poll(() => dialog.locator('[data-testid="ctx-old-cluster"] .test-result').innerText()).toMatch(/connection refused/);
    await dialog.locator('[data-testid="ctx-old-cluster"] input[type=radio]').click();
    await expect.poll(() => page.locator('[data-testid=status-context]').innerText()).toContain('old-cluster');
    await page.screenshot({ path: join(RESULTS, 'view-cluster.png') });
    await page.keyboard.press('Escape');
    const settings = JSON.parse(await readFile(join(s.workspace, '.labforge', 'settings.json'), 'utf8')) as { kubeContext: string };
    expect(settings.kubeContext).toBe('old-cluster');
    expect(s.errors).toEqual([]);
  });
});
