import { readFileSync } from 'node:fs';
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
    // A script that never reads its input may exit before the write lands: EPIPE then is expected.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
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

  it('finds the marker behind echoed type-ahead', () => {
    const p = new MarkerParser();
    expect(p.push(Buffer.from('echo hi\r\n\x1b]7717;labforge-pid=7:1\x07$ ')).toString()).toBe('echo hi\r\n$ ');
    expect(p.identity).toEqual({ pid: 7, startTime: '1' });
  });

  it('passes output without a marker through untouched once it is clear none will come', () => {
    const p = new MarkerParser();
    const error = 'OCI runtime exec failed: exec: "sh": executable file not found in $PATH';
    expect(p.push(Buffer.from(error)).length).toBe(0);
    expect(p.flush().toString()).toBe(error);
    const q = new MarkerParser();
    expect(q.push(Buffer.alloc(5000, 0x78)).length).toBe(5000);
    expect(q.identity).toBeNull();
    expect(q.settled).toBe(true);
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

  it('hangs up a job of the session the shell leads that has a process group of its own', async () => {
    // A session leader (as the tty exec makes the shell) with a job in a process group of its
    // own, as an interactive bash puts each job; sh dies of the HUP without passing it on.
    const job0 = `python3 -c 'import os; os.setpgid(0, 0); os.execvp("sleep", ["sleep", "100"])'`;
    const leader = spawn('setsid', ['sh', '-c', `${job0} & echo $!; wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
    const job = Number(await new Promise<string>((r) => leader.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
    // Orphaned, the job is reparented to whatever reaps here: a dead one may linger as a zombie.
    const running = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(running(job)).toBe(true);
    await run(hangupCommand(leader.pid!, null, 300));
    await new Promise((r) => setTimeout(r, 200));
    expect(running(job)).toBe(false);
    leader.kill('SIGKILL');
  });

  it('leaves a process alone when its start time says it is not the shell that was reported', async () => {
    const other = spawn('sh', ['-c', 'exec sleep 100'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    await run(hangupCommand(other.pid!, '1', 200));
    expect(alive(other.pid!)).toBe(true);
    other.kill('SIGKILL');
  });
});
