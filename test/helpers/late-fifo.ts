// A named pipe whose writer comes late, for tests of readers that must refuse FIFOs. A reader
// that waits on it (as the old code did) gets one line of junk after `lateMs` and goes on, so
// such a test fails on time instead of hanging its worker for good; a reader that refuses it
// never opens it, and the writer gives up 3 s after it came.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export function lateFifo(dir: string, name: string, lateMs = 10_000): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const writer = spawn('sh', ['-c', `sleep ${lateMs / 1000}; exec timeout 3 sh -c 'printf "junk: [" > "$0"' "$0"`, path], { stdio: 'ignore', detached: true });
  writer.unref();
  return path;
}
