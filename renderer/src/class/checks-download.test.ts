// "Download CSV": what the class view's button hands the browser, with the API and the DOM stubbed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('../api/client', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { downloadGrades, useChecks } = await import('./checks');
const { useUi } = await import('../store/ui');

let clicked: { download: string; href: string }[];
let blobs: Blob[];

beforeEach(() => {
  clicked = [];
  blobs = [];
  vi.stubGlobal('document', {
    createElement: () => {
      const a = { href: '', download: '', click: () => clicked.push({ download: a.download, href: a.href }) };
      return a;
    },
  });
  vi.stubGlobal('URL', { createObjectURL: (b: Blob) => (blobs.push(b), `blob:${blobs.length}`), revokeObjectURL: () => undefined });
});

afterEach(() => {
  vi.unstubAllGlobals();
  invoke.mockReset();
});

const student = {
  student: 'alice',
  namespace: 'lab-net101-alice',
  release: 'v1',
  checks: [{ id: 'web-up', title: 'Start, then "serve"', node: 'web', points: 2 }],
  achievements: [],
  results: { checks: { 'web-up': { status: 'pass', exitCode: 0, lastRunAt: '2026-03-02T10:00:00.000Z', changedAt: '2026-03-01T09:00:00.000Z', firstPassAt: '2026-03-01T09:00:00.000Z', attempts: 2, durationMs: 5, output: '' } }, achievements: {}, updatedAt: '' },
  progress: { passed: 1, total: 1, points: 2, maxPoints: 2, achievements: [], lastChange: null },
};

describe('downloadGrades', () => {
  it('reads the recorded results again and downloads them as <class>-grades.csv', async () => {
    useChecks.setState({ className: 'net101', students: [] });
    invoke.mockResolvedValue({ ok: true, value: { students: [student] } });
    await downloadGrades('net101');
    expect(invoke).toHaveBeenCalledWith('checks.results', expect.objectContaining({ className: 'net101' }));
    expect(clicked).toEqual([{ download: 'net101-grades.csv', href: 'blob:1' }]);
    expect(blobs[0]!.type).toBe('text/csv');
    expect(await blobs[0]!.text()).toBe('student,check,passed,points,time,status,max_points,title\r\nalice,web-up,true,2,2026-03-01T09:00:00.000Z,pass,2,"Start, then ""serve"""\r\n');
    // The view shows what was exported.
    expect(useChecks.getState().students).toEqual([student]);
  });

  it('downloads nothing and says why when the results cannot be read', async () => {
    const notify = vi.spyOn(useUi.getState(), 'notify');
    invoke.mockResolvedValue({ ok: false, error: { message: 'class net101 has no students' } });
    await downloadGrades('net101');
    expect(clicked).toEqual([]);
    expect(notify).toHaveBeenCalledWith('error', 'grades not exported: class net101 has no students');
  });
});
