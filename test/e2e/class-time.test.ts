// Class time in the class view, against the real local control plane: a class of two, one
// student suspended from their row (marker in the row, cells striped as stopped, the other
// student untouched), then both picked and resumed from the header. The class's idle policy and
// schedule show in the subhead; screenshots at a laptop's and a desktop's size.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { setIdlePolicy } from '../../main/engine/class-time';
import { updateClassSettings } from '../../main/engine/reconcile-settings';
import { writeIdleWarning } from '../../main/engine/suspend';
import { formatIdleWarning, suspensionOf } from '../../main/engine/suspension';
import { NAMESPACE } from '../../main/kube/kinds';
import { openLabInUi, RESULTS, type LabInUi } from './helpers';
import { publishedClass, type PublishedClass } from './published-class';

const suffix = Math.random().toString(16).slice(2, 8);
const className = `e2e-time-${suffix}`;
let ui: LabInUi;
let klass: PublishedClass | undefined;

const labText = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: time-e2e-${suffix}
nodes:
  - name: box
    kind: container
    image: busybox:1.36
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 10m, memory: 16Mi }
`;

/** Tomorrow's date (UTC): a session then has not begun nor ended while this test runs, so a running class-time controller would leave the labs alone. */
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  klass = await publishedClass(labText, className, 2);
  await setIdlePolicy(klass.cluster, className, { afterSeconds: 7200, warnSeconds: 600 });
  await updateClassSettings(klass.cluster, className, (s) => ({ ...s, schedule: { timezone: 'UTC', warmSeconds: 900, entries: [{ date: tomorrow, start: '09:00', end: '11:00' }] } }));
  ui = await openLabInUi(klass.lab, { tmpPrefix: 'labforge-time-', node: 'box' });
  await ui.page.locator('[data-testid=view-class]').click();
  await ui.page.locator('[data-testid=class-name]').fill(className);
  await ui.page.locator('[data-testid=class-open]').click();
  await ui.page.locator('[data-testid="class-row-student-02"]').waitFor({ timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await ui?.browser.close();
  await ui?.server.close();
  await klass?.remove();
});

const cells = (student: string) => ui.page.locator(`[data-testid="class-row-${student}"] .cell`);
const suspendedIn = async (student: string) => suspensionOf((await klass!.cluster.read(NAMESPACE, studentNamespace(className, student)))!);

describe('class time in the class view', () => {
  it('shows the idle policy and the next session', async () => {
    const page = ui.page;
    await page.locator('[data-testid=class-idle]', { hasText: 'idle labs suspend after 2 h, warned 10 min before' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=class-schedule]').innerText()).resolves.toMatch(/^next session \w{3} 09:00–11:00, labs start 15 min before$/);
    await expect(page.locator('[data-testid=health-class-time]').innerText()).resolves.toContain(`UTC: ${tomorrow} 09:00-11:00`);
  });

  it('suspends one student from their row: marker and stopped cells there, the other student untouched', { timeout: 180_000 }, async () => {
    const page = ui.page;
    await page.locator('[data-testid="suspend-student-01"]').click();
    await page.locator('[data-testid="op-panel"][data-state=done]', { hasText: 'Suspend student-01' }).waitFor({ timeout: 120_000 });
    const marker = page.locator('[data-testid="suspended-student-01"]');
    await marker.waitFor({ timeout: 30_000 });
    await expect(marker.innerText()).resolves.toBe('suspended');
    await expect(marker.getAttribute('title')).resolves.toMatch(/^Suspended by the instructor at \d\d:\d\d \((just now|1 min ago)\)/);
    await page.locator('[data-testid="class-row-student-01"] .cell.state-stopped').first().waitFor({ timeout: 30_000 });
    expect(await cells('student-01').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['stopped']);
    expect(await page.locator('[data-testid="suspended-student-02"]').count()).toBe(0);
    // A lab stopped on purpose holds nothing back.
    await expect(page.locator('[data-testid=class-summary]').innerText()).resolves.toBe('1/1 students ready · 1 suspended');
    await expect(page.locator('[data-testid=class-waiting]').innerText()).resolves.toBe('Every running lab is ready.');
    expect(await page.locator('[data-testid="class-row-student-02"] .cell.state-stopped').count()).toBe(0);
    await page.locator('[data-testid="resume-student-01"]').waitFor();
    expect(await suspendedIn('student-01')).toMatchObject({ by: 'instructor' });
    expect(await suspendedIn('student-02')).toBeUndefined();

    // The suspended filter shows only the suspended student.
    await page.locator('[data-testid=class-filter]').selectOption('suspended');
    await expect(page.locator('[data-testid^="class-row-"]').count()).resolves.toBe(1);
    await page.locator('[data-testid=class-filter]').selectOption('all');

    // An idle warning standing on student-02 shows in their row (what the controller writes).
    const now = Date.now();
    await writeIdleWarning(klass!.cluster, studentNamespace(className, 'student-02'), formatIdleWarning({ at: new Date(now + 1000).toISOString(), suspendAt: new Date(now + 30 * 60_000).toISOString() }));
    await expect(page.locator('[data-testid="idle-student-02"]').innerText({ timeout: 30_000 })).resolves.toMatch(/^suspends \d\d:\d\d$/);

    for (const [width, height] of [
      [1366, 768],
      [1440, 900],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.locator('[data-testid="class-row-student-01"]').waitFor();
      const file = join(RESULTS, `class-time-${width}x${height}.png`);
      await page.screenshot({ path: file });
      // A copy where the screenshots of this change are looked at.
      if (process.env['CLASSTIME_SHOTS']) await copyFile(file, join(process.env['CLASSTIME_SHOTS'], `classtime-${width}x${height}.png`));
      // Row actions stay inside the row at this size: the last one's right edge is within the grid.
      const grid = (await page.locator('[data-testid=class-grid]').boundingBox())!;
      const reset = (await page.locator('[data-testid="reset-student-01"]').boundingBox())!;
      expect(reset.x + reset.width).toBeLessThanOrEqual(grid.x + grid.width);
    }
    expect(ui.errors).toEqual([]);
  });

  it('resumes both selected students from the header', { timeout: 180_000 }, async () => {
    const page = ui.page;
    await page.locator('[data-testid="select-student-01"]').check();
    await page.locator('[data-testid="select-student-02"]').check();
    await expect(page.locator('[data-testid=class-resume-selected]').innerText()).resolves.toBe('Resume selected (2)');
    // At a laptop's size the header keeps one line with the selection's buttons in it.
    await page.setViewportSize({ width: 1366, height: 768 });
    const file = join(RESULTS, 'class-time-selected-1366x768.png');
    await page.screenshot({ path: file });
    if (process.env['CLASSTIME_SHOTS']) await copyFile(file, join(process.env['CLASSTIME_SHOTS'], 'classtime-selected-1366x768.png'));
    const top = (testId: string) => page.locator(`[data-testid=${testId}]`).boundingBox().then((b) => Math.round(b!.y + b!.height / 2));
    expect(await top('class-teardown')).toBe(await top('class-open'));
    await page.locator('[data-testid=class-resume-selected]').click();
    await page.locator('[data-testid="op-panel"][data-state=done]', { hasText: 'Resume 2 students' }).waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="suspended-student-01"]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('[data-testid="class-grid"] .cell.state-stopped').first().waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.locator('[data-testid="class-grid"] .cell').count()).toBe(2);
    expect(await suspendedIn('student-01')).toBeUndefined();
    expect(await suspendedIn('student-02')).toBeUndefined();
    // The selection is done with once it ran.
    await expect(page.locator('[data-testid=class-selection]').getAttribute('data-count')).resolves.toBe('0');
    expect(ui.errors).toEqual([]);
  });
});
