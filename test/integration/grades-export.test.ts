// `labforge grades` against the real control plane: a class of 2 students whose results are
// recorded by the engine's own writer (the pods are simulated, so no check can run in them; how
// a run is recorded is checks-class.test.ts's subject), exported through the CLI entry.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentKey, studentNamespace } from '../../common/compile';
import { parseLab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { allCommands } from '../../main/cli/commands';
import { runCli } from '../../main/cli/program';
import { teardown } from '../../main/engine/class-ops';
import { deleteDev } from '../../main/engine/dev-delete';
import type { CheckRun } from '../../main/engine/checks-results';
import { recordRuns } from '../../main/engine/checks-store';
import { publish } from '../../main/engine/publish';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, makeRelease } from './helpers/engine';
import { randomId, testKubeconfigPath } from './helpers/kube';

const className = `grd-${randomId(3)}`;
const students = numberedStudents(2);
const [first, second] = students.map((s) => s.id) as [string, string];

const labText = (name: string) => `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: ${name}
nodes:
  - name: box
    kind: container
    image: busybox:1.36
    command: [sh, -c, "sleep 3600"]
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 10m, memory: 16Mi }
checks:
  - id: web-up
    title: Start the server, then "curl" it
    node: box
    script: exit 0
    points: 3
    after: [made-file]
  - id: made-file
    title: =HYPERLINK("http://example.invalid")
    node: box
    script: test -f done.txt
`;

let cluster: HttpCluster;
let dir: string;
const labName = `grd-${randomId(3)}`;

const run = (check: string, status: CheckRun['status'], at: string): CheckRun => ({ check, status, exitCode: status === 'pass' ? 0 : 1, at, durationMs: 12, output: 'FAIL: =cmd|/c calc', ...(status === 'fail' ? { failLine: 'FAIL: =cmd' } : {}) });

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--kubeconfig', testKubeconfigPath()], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, allCommands);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  cluster = adminCluster();
  dir = mkdtempSync(join(tmpdir(), 'lf-grades-'));
  const parsed = parseLab(labText(labName));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const release = await makeRelease(cluster, parsed.lab, 'v1');
  const r = await publish(cluster, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  // The first student passed made-file, then web-up failed and later passed; the second has no record.
  const ref = { namespace: studentNamespace(className, first), class: className, studentKey: studentKey(first) };
  await recordRuns(cluster, ref, [run('made-file', 'pass', '2026-03-01T09:00:00.000Z'), run('web-up', 'fail', '2026-03-01T09:00:01.000Z')], []);
  await recordRuns(cluster, ref, [run('made-file', 'pass', '2026-03-02T09:00:00.000Z'), run('web-up', 'pass', '2026-03-02T09:00:01.000Z')], []);
});

afterAll(async () => {
  await teardown(cluster, className).catch(() => undefined);
  // The release was made from a dev deployment (makeRelease): that namespace goes too.
  await deleteDev(cluster, labName, { timeoutMs: 60_000 }).catch(() => undefined);
  cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('labforge grades', () => {
  it('prints one row per student × check in the lab\'s check order, with first-pass times and neutralised cells', async () => {
    const r = await cli('grades', '--class', className);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\r\n')).toEqual([
      'student,check,passed,points,time,status,max_points,title',
      `${first},made-file,true,1,2026-03-01T09:00:00.000Z,pass,1,"'=HYPERLINK(""http://example.invalid"")"`,
      `${first},web-up,true,3,2026-03-02T09:00:01.000Z,pass,3,"Start the server, then ""curl"" it"`,
      `${second},made-file,false,0,,not run,1,"'=HYPERLINK(""http://example.invalid"")"`,
      `${second},web-up,false,0,,not run,3,"Start the server, then ""curl"" it"`,
      '',
    ]);
    // Exporting ran nothing: the record is as it was written.
    const again = await cli('grades', '--class', className, '--student', second);
    expect(again.stdout.split('\r\n').slice(1, -1).every((l) => l.startsWith(`${second},`) && l.includes(',not run,'))).toBe(true);
  });

  it('-o writes the same CSV to a file of mode 0644', async () => {
    const file = join(dir, `${className}-grades.csv`);
    const r = await cli('grades', '--class', className, '-o', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${file}: 4 row(s) for 2 student(s)`);
    expect(readFileSync(file, 'utf8')).toBe((await cli('grades', '--class', className)).stdout);
    // 0644 less what the umask takes away.
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('a class that does not exist is an error that says to publish first', async () => {
    const r = await cli('grades', '--class', `${className}-none`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/has no students/);
  });
});
