// Where the local control plane keeps its files. Everything lives in one state directory that git
// ignores; its location is resolved from this module's place in the checkout, never from cwd.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The checkout's root: the nearest ancestor of this module holding labforge's package.json. */
export function repoRoot(): string {
  let dir = here;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'labforge') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the labforge checkout above ${here}`);
    dir = parent;
  }
}

/** `--state-dir`, else `LABFORGE_CLUSTER_DIR`, else `<repo root>/.labforge/cluster`. */
export function resolveStateDir(stateDir?: string): string {
  const chosen = stateDir ?? process.env.LABFORGE_CLUSTER_DIR;
  if (chosen && chosen.trim() !== '') return resolve(chosen);
  return join(repoRoot(), '.labforge', 'cluster');
}

/**
 * A named local cluster (`labforge cluster up --name B`), so several control planes can run side
 * by side, e.g. as the zones of one class: `<repo root>/.labforge/cluster-<name>`. The unnamed
 * cluster keeps its usual place.
 */
export function namedStateDir(name?: string): string {
  if (name === undefined || name === '' || name === 'default') return resolveStateDir();
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(name)) throw new Error(`cluster name "${name}" must be a short DNS label such as "zone-b"`);
  return join(repoRoot(), '.labforge', `cluster-${name}`);
}

/** The build script that compiles (or finds cached) control plane binaries. */
export function buildScript(): string {
  return join(repoRoot(), 'main', 'cluster', 'go', 'build.sh');
}

/** Fixed layout inside a state directory. */
export function layout(stateDir: string) {
  return {
    stateDir,
    stateFile: join(stateDir, 'cluster.json'),
    lockFile: join(stateDir, '.lock'),
    pki: join(stateDir, 'pki'),
    run: join(stateDir, 'run'),
    logs: join(stateDir, 'logs'),
    etcdData: join(stateDir, 'etcd'),
    config: join(stateDir, 'config'),
    /** The agent's local volumes (hostPath PersistentVolumes, agent/volume-provisioner.ts). */
    volumes: join(stateDir, 'volumes'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    /** Logs survive `down` here: `<parent>/<name>-logs/<timestamp>/` (`.labforge/cluster-logs/...`). */
    logArchive: join(dirname(stateDir), `${basename(stateDir)}-logs`),
  };
}
export type Layout = ReturnType<typeof layout>;
