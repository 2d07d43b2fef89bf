/**
 * The cluster commands reach the API server through kubeconfig-lite and the one HTTP path, so
 * they must not load @kubernetes/client-node (over half a second of CPU at every start). This
 * runs the real command through bin/labforge.mjs with a resolve hook that logs every module the
 * process resolves, against a kubeconfig whose server refuses connections (no cluster needed:
 * the command loads everything it needs before its first request). The control case proves the
 * log would show client-node: a kubeconfig user with an auth-provider hands auth to client-node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-cluster-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, user: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

/** The packages (under node_modules) a command resolved, and its exit status and stderr. */
function packagesLoadedBy(args: string[], config: string): { packages: Set<string>; status: number | null; stderr: string } {
  const log = join(dir, `imports-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', join(root, 'test/architecture/record-imports/register.mjs'), join(root, 'bin/labforge.mjs'), ...args], {
    env: { ...process.env, KUBECONFIG: config, LABFORGE_IMPORT_LOG: log, LABFORGE_FROM_SOURCE: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const packages = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) packages.add(m[1]!);
  }
  return { packages, status: r.status, stderr: r.stderr };
}

const plain = kubeconfig('plain.yaml', { token: 'not-used' });

describe('cluster commands start without the Kubernetes client', () => {
  for (const args of [['status', '--class', 'nosuch'], ['releases']]) {
    it(`${args[0]} loads no @kubernetes/client-node`, () => {
      const r = packagesLoadedBy(args, plain);
      // It got as far as the request: the refused connection is its error.
      expect(r.stderr).toMatch(/cannot reach the cluster at https:\/\/127\.0\.0\.1:1/);
      expect(r.status).not.toBe(0);
      expect([...r.packages].filter((p) => p.startsWith('@kubernetes/'))).toEqual([]);
    }, 150_000);
  }

  it('the log does show client-node when a command needs it (auth-provider user)', () => {
    const config = kubeconfig('gcp.yaml', { 'auth-provider': { name: 'gcp', config: { 'access-token': 't', expiry: new Date(Date.now() + 3_600_000).toISOString() } } });
    const r = packagesLoadedBy(['releases'], config);
    expect(r.stderr).toMatch(/cannot reach the cluster/);
    expect(r.packages.has('@kubernetes/client-node')).toBe(true);
  }, 150_000);
});
