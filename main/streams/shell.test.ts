// The wrapper and hangup scripts run here under the host's sh, as they do in a container.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hangupCommand, MarkerParser, shellCommand } from './shell';

function run(command: string[], input = ''): Promise<{ stdout: Buffer; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout: Buffer.concat(out), pid: child.pid! }));
    child.stdin.end(input);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the shell wrapper', () => {
  it("prints its PID in a marker, then becomes a shell with that PID", async () => {
    const { stdout, pid } = await run(shellCommand(), 'echo "shell=$$"\n');
    const parser = new MarkerParser();
    const rest = parser.push(stdout).toString();
    expect(parser.identity?.pid).toBe(pid);
    expect(parser.identity?.startTime).toMatch(/^\d+$/);
    expect(rest).toBe(`shell=${pid}\n`);
  });
});

describe('MarkerParser', () => {
  it('finds a marker split across chunks and passes the rest through', () => {
    const p = new MarkerParser();
    expect(p.push(Buffer.from('\x1b]7717;labforge-p')).length).toBe(0);
    expect(p.push(Buffer.from('id=42:99\x07$ ')).toString()).toBe('$ ');
    expect(p.identity).toEqual({ pid: 42, startTime: '99' });
    expect(p.push(Buffer.from('more')).toString()).toBe('more');
  });

  it('passes output that does not start with the marker through untouched', () => {
    const p = new MarkerParser();
    expect(p.push(Buffer.from('OCI runtime exec failed: no sh')).toString()).toBe('OCI runtime exec failed: no sh');
    expect(p.identity).toBeNull();
    expect(p.settled).toBe(true);
  });
});

describe('the hangup command', () => {
  it('ends a process that ignores nothing with SIGHUP, and one that ignores SIGHUP with SIGKILL', async () => {
    const polite = spawn('sh', ['-c', 'exec sleep 100'], { stdio: 'ignore' });
    const stubborn = spawn('sh', ['-c', "trap '' HUP; exec sleep 100"], { stdio: 'ignore' });
    const exits = [polite, stubborn].map((c) => new Promise<NodeJS.Signals | null>((r) => c.on('exit', (_code, sig) => r(sig))));
    await new Promise((r) => setTimeout(r, 100));
    await run(hangupCommand(polite.pid!, null, 500));
    await run(hangupCommand(stubborn.pid!, null, 500));
    expect(await Promise.all(exits)).toEqual(['SIGHUP', 'SIGKILL']);
  });

  it('leaves a process alone when its start time says it is not the shell that was reported', async () => {
    const other = spawn('sh', ['-c', 'exec sleep 100'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    await run(hangupCommand(other.pid!, '1', 200));
    expect(alive(other.pid!)).toBe(true);
    other.kill('SIGKILL');
  });
});
