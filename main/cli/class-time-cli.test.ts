import { describe, expect, it } from 'vitest';
import { classTimeCommands } from './commands/class-time';
import { gatewayCommands } from './commands/gateway';
import { runCli } from './program';

// Only what fails before a cluster is reached: the kubeconfig named here does not exist.
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--kubeconfig', '/nonexistent/kubeconfig'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [classTimeCommands, gatewayCommands]);
  return { code, stdout, stderr };
}

describe('labforge suspend and resume', () => {
  it('ask whom rather than stopping a whole class by accident (exit 2)', async () => {
    const r = await cli('suspend', '--class', 'c1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name whom to suspend: --student ID (repeatable) or --all');
    expect((await cli('resume', '--class', 'c1', '--all', '--student', 'a')).stderr).toContain('give --student or --all, not both');
  });

  it('check --wait while parsing', async () => {
    const r = await cli('resume', '--class', 'c1', '--all', '--wait', 'soon');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--wait must be a duration/);
  });

  it('reach for the cluster once the flags are right', async () => {
    const r = await cli('suspend', '--class', 'c1', '--student', 'student-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nonexistent/);
  });
});

describe('labforge idle', () => {
  it('takes a duration or off, and a warning shorter than the idle time', async () => {
    expect((await cli('idle', '--class', 'c1', 'sometimes')).stderr).toMatch(/<after> must be a duration/);
    expect((await cli('idle', '--class', 'c1', '30s')).stderr).toMatch(/<after> must be between/);
    const r = await cli('idle', '--class', 'c1', '1h', '--warn', '2h');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--warn .* must be shorter than <after>/);
    expect((await cli('idle', '--class', 'c1', 'off', '--warn', '5m')).stderr).toContain('--warn goes with a duration, not "off"');
  });
});

describe('labforge gateway --no-resume', () => {
  it('is a flag of the gateway', async () => {
    let help = '';
    await runCli(['gateway', '--help'], { stdout: (t) => (help += t), stderr: (t) => (help += t) }, [gatewayCommands]);
    expect(help).toContain('--no-resume');
  });
});
