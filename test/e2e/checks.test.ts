// Checks in the app against the real local control plane: the node inspector edits a check and
// tries it on dev (failing with its FAIL: line, then passing once the file exists); the class
// view runs the checks for the class and for one student, shows progress and the heatmap, and a
// cell's output and hint; and a restarted app shows what was recorded.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace, studentNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { POD } from '../../main/kube/kinds';
import { execStreaming } from '../../main/streams/exec-stream';
import { openLabInUi, RESULTS, type LabInUi } from './helpers';
import { publishedClass, type PublishedClass } from './published-class';
import { join } from 'node:path';

const suffix = Math.random().toString(16).slice(2, 8);
const className = `e2e-chk-${suffix}`;
let kc: KubeConfig;
let cluster: HttpCluster;
let lab: Lab;
let ui: LabInUi;
let klass: PublishedClass | undefined;

const labText = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: checks-e2e-${suffix}
nodes:
  - name: box
    kind: container
    image: busybox:1.36
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 10m, memory: 16Mi }
checks:
  - id: file-made
    title: Create done.txt
    node: box
    script: |
      test -f done.txt || { echo "FAIL: done.txt is missing"; exit 1; }
    hint: touch done.txt
achievements:
  - name: starter
    title: Got started
    checks: [file-made]
`;

async function touch(namespace: string): Promise<void> {
  const pod = (await cluster.list(POD, { namespace })).items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)!;
  // As the student would in their terminal, which lands in the node's home.
  await execStreaming(kc, { namespace, pod: pod.metadata!.name!, container: 'box' }, ['sh', '-c', 'cd && touch done.txt'], () => undefined);
}

beforeAll(async () => {
  klass = await publishedClass(labText, className, 4, {}, { realNode: true });
  ({ kc, cluster, lab } = klass);
  ui = await openLabInUi(lab, { tmpPrefix: 'labforge-checks-', node: 'box' });
}, 300_000);

afterAll(async () => {
  await ui?.browser.close();
  await ui?.server.close();
  await klass?.remove();
});

describe('checks in the app', () => {
  it('the inspector shows the node\'s check and tries it on dev', async () => {
    const page = ui.page;
    await page.locator('[data-testid="node-box"]').click();
    const check = page.locator('[data-testid="insp-check-0"]');
    await expect(check.locator('[data-testid=insp-check-id]').inputValue()).resolves.toBe('file-made');
    await check.locator('[data-testid=insp-check-try]').click();
    await check.locator('[data-testid=insp-check-try-status]').waitFor({ timeout: 60_000 });
    await expect(check.locator('[data-testid=insp-check-try-status]').innerText()).resolves.toBe('fail');
    await expect(check.locator('[data-testid=insp-check-try-result]').innerText()).resolves.toContain('FAIL: done.txt is missing');

    await touch(devNamespace(lab.metadata.name));
    await check.locator('[data-testid=insp-check-try]').click();
    await check.locator('[data-testid=insp-check-try-status]', { hasText: 'pass' }).waitFor({ timeout: 60_000 });

    // An edit in the inspector reaches the lab, and a broken one is reported under the check.
    await check.locator('[data-testid=insp-check-id]').fill('Bad Id');
    await check.locator('[data-testid=field-error]', { hasText: 'check id must be a DNS-1123 label' }).waitFor();
    await check.locator('[data-testid=insp-check-id]').fill('file-made');
    await page.screenshot({ path: join(RESULTS, 'checks-inspector.png') });
  });

  it('the class view runs the checks, shows progress and the heatmap, and a cell\'s output and hint', async () => {
    const page = ui.page;
    await page.locator('[data-testid=view-class]').click();
    await page.locator('[data-testid=class-name]').fill(className);
    await page.locator('[data-testid=class-open]').click();
    await page.locator('[data-testid=class-checks]').waitFor();
    await page.locator('[data-testid=checks-run-class]').click();
    await page.locator('[data-testid="check-cell-student-01-file-made"][data-status=fail]').waitFor({ timeout: 60_000 });
    for (const s of ['student-01', 'student-02', 'student-03', 'student-04']) {
      await expect(page.locator(`[data-testid="check-cell-${s}-file-made"]`).getAttribute('data-status')).resolves.toBe('fail');
      await expect(page.locator(`[data-testid="checks-passed-${s}"]`).innerText()).resolves.toBe('0/1');
    }

    await page.locator('[data-testid="check-cell-student-02-file-made"]').click();
    await expect(page.locator('[data-testid=check-detail-fail]').innerText()).resolves.toBe('FAIL: done.txt is missing');
    await expect(page.locator('[data-testid=check-detail-hint]').innerText()).resolves.toBe('Hint: touch done.txt');

    // One student makes the file; "run" on their row checks only them.
    await touch(studentNamespace(className, 'student-02'));
    await page.locator('[data-testid="checks-run-student-02"]').click();
    await page.locator('[data-testid="check-cell-student-02-file-made"][data-status=pass]').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid="checks-passed-student-02"]').innerText()).resolves.toBe('1/1');
    await expect(page.locator('[data-testid="checks-achievements-student-02"]').innerText()).resolves.toBe('Got started');
    await expect(page.locator('[data-testid=check-detail-status]').innerText()).resolves.toBe('pass');
    await expect(page.locator('[data-testid="check-cell-student-03-file-made"]').getAttribute('data-status')).resolves.toBe('fail');
    await page.screenshot({ path: join(RESULTS, 'checks-class-view.png') });
    expect(ui.errors).toEqual([]);
  });

  it('a restarted app (new server, new browser) shows the recorded results without running anything', async () => {
    await ui.browser.close();
    await ui.server.close();
    ui = await openLabInUi(lab, { tmpPrefix: 'labforge-checks-', node: 'box' });
    const page = ui.page;
    await page.locator('[data-testid=view-class]').click();
    await page.locator('[data-testid=class-name]').fill(className);
    await page.locator('[data-testid=class-open]').click();
    await page.locator('[data-testid="check-cell-student-02-file-made"][data-status=pass]').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid="checks-achievements-student-02"]').innerText()).resolves.toBe('Got started');
    await expect(page.locator('[data-testid="check-cell-student-01-file-made"]').getAttribute('data-status')).resolves.toBe('fail');
    await expect(page.locator('[data-testid=checks-summary]').innerText()).resolves.toBe('1/4 students passed every check');
    expect(ui.errors).toEqual([]);
  });
});
