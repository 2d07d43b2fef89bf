import { describe, expect, it } from 'vitest';
import { checkCommands } from './commands/check';
import { runCli } from './program';

// Only what fails before a cluster is reached: the kubeconfig named here does not exist.
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--kubeconfig', '/nonexistent/kubeconfig'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [checkCommands]);
  return { code, stdout, stderr };
}

describe('labforge grades', () => {
  it('needs a class, and a class name that is a DNS label (usage errors, exit 2)', async () => {
    const missing = await cli('grades');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--class/);
    const bad = await cli('grades', '--class', 'Net_101');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--class must be a DNS-1123 label');
  });

  it('checks --student and --output while parsing', async () => {
    const student = await cli('grades', '--class', 'net101', '--student', '=cmd');
    expect(student.code).toBe(2);
    expect(student.stderr).toContain('--student must be a student id');
    const output = await cli('grades', '--class', 'net101', '-o', '');
    expect(output.code).toBe(2);
    expect(output.stderr).toContain('--output must be a file path');
    expect((await cli('grades', '--class', 'net101', '--csv')).code).toBe(2);
  });

  it('reaches for the cluster once the flags are right, and writes nothing on the way', async () => {
    const r = await cli('grades', '--class', 'net101');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('says what the columns are in its help', async () => {
    const r = await cli('grades', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('student,check,passed,points,time,status,max_points,title');
  });
});
