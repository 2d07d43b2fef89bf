// Runs one of the build scripts in main/cluster/go/ (each a quick no-op once its cache folder is
// complete) and returns the last line it prints: the path of what it built.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildScript } from './paths';

export function runBuildScript(name: string, log: (line: string) => void): Promise<string> {
  const script = join(buildScript(), '..', name);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errTail = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      errTail = (errTail + d).slice(-4000);
      for (const line of d.split('\n')) if (line.trim()) log(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.trim().split('\n');
      const last = lines[lines.length - 1]?.trim();
      if (code !== 0 || !last) reject(new Error(`${script} failed (exit ${code}):\n${errTail}`));
      else resolvePromise(last);
    });
  });
}
