/**
 * `labforge ui` as a separate process, started the way a user starts it, and signed in the way
 * its page signs in (one-time link → cookie, page key in the redirect's fragment). For tests and
 * benchmarks that need the real process (its memory, its sockets) rather than the in-process
 * server the browser tests use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { PAGE_KEY_FRAGMENT } from '../../common/browser/session';
import { appRoot } from '../../main/paths';

export interface UiProcess {
  child: ChildProcess;
  /** The one-time sign-in link the process printed. */
  link: string;
  origin: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface UiSession {
  /** `name=value` of the session cookie. */
  cookie: string;
  pageKey: string;
}

const LINK = /Labforge editor: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

/** Starts `node bin/labforge.mjs ui --no-open --port 0 --workspace W` and waits for its link. */
export async function startUiProcess(opts: { workspace: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<UiProcess> {
  const bin = join(appRoot(), 'bin', 'labforge.mjs');
  const child = spawn(process.execPath, [bin, 'ui', '--no-open', '--port', '0', '--workspace', opts.workspace], {
    cwd: opts.workspace,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const link = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`labforge ui did not print its link:\n${output}`)), opts.timeoutMs ?? 120_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = LINK.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`labforge ui exited with ${code}:\n${output}`));
    });
  });
  const u = new URL(link);
  return {
    child,
    link,
    origin: u.origin,
    port: Number(u.port),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Follows the one-time link as the page does; the answer must be the redirect that sets the cookie. */
export async function signIn(link: string): Promise<UiSession> {
  const r = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = request(link, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
  if (r.status !== 302) throw new Error(`signing in at ${new URL(link).origin} answered ${r.status}, not the redirect`);
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  const pageKey = new URLSearchParams(new URL(String(r.headers.location)).hash.slice(1)).get(PAGE_KEY_FRAGMENT) ?? '';
  if (!pageKey) throw new Error(`the sign-in redirect carries no page key: ${String(r.headers.location)}`);
  return { cookie, pageKey };
}
