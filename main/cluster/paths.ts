// Where the local control plane keeps its files. Everything lives in one state directory that git
// ignores; its location is resolved from the app root (main/paths.ts), never from cwd.
import { basename, dirname, join, resolve } from 'node:path';
import { APP_ROOT } from '../paths';

/** `--state-dir`, else `LABFORGE_CLUSTER_DIR`, else `<app root>/.labforge/cluster`. */
export function resolveStateDir(stateDir?: string): string {
  const chosen = stateDir ?? process.env.LABFORGE_CLUSTER_DIR;
  if (chosen && chosen.trim() !== '') return resolve(chosen);
  return join(APP_ROOT, '.labforge', 'cluster');
}

/**
 * A named local cluster (`labforge cluster up --name B`), so several control planes can run side
 * by side, e.g. as the zones of one class: `<app root>/.labforge/cluster-<name>`. The unnamed
 * cluster keeps its usual place.
 */
export function namedStateDir(name?: string): string {
  if (name === undefined || name === '' || name === 'default') return resolveStateDir();
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(name)) throw new Error(`cluster name "${name}" must be a short DNS label such as "zone-b"`);
  return join(APP_ROOT, '.labforge', `cluster-${name}`);
}

/** The build script that compiles (or finds cached) control plane binaries. */
export function buildScript(): string {
  return join(APP_ROOT, 'main', 'cluster', 'go', 'build.sh');
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
