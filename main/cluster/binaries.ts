// Finds the control plane binaries: `LABFORGE_CLUSTER_BIN`, else whatever build.sh prints as its
// last line (build.sh is a quick no-op when its cache folder is complete).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBuildScript } from './build-script';

export const BINARY_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];

export interface Binaries {
  binDir: string;
  /** Absolute path of each binary. */
  paths: Record<BinaryName, string>;
  /** kwok's own Stage definitions (copied from its module's kustomize/stage). */
  kwokStageDir: string;
  /** kwok's CRDs (copied from its module's kustomize/crd/bases). */
  kwokCrdDir: string;
}

export async function locateBinaries(log: (line: string) => void = () => {}): Promise<Binaries> {
  const fromEnv = process.env.LABFORGE_CLUSTER_BIN;
  const binDir = fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : await runBuildScript('build.sh', log);
  const paths = Object.fromEntries(BINARY_NAMES.map((n) => [n, join(binDir, n)])) as Record<BinaryName, string>;
  const missing = BINARY_NAMES.filter((n) => !existsSync(paths[n]));
  if (missing.length) throw new Error(`missing control plane binaries in ${binDir}: ${missing.join(', ')} (run npm run cluster:build)`);
  const kwokStageDir = join(binDir, '..', 'kwok-stage');
  const kwokCrdDir = join(binDir, '..', 'kwok-crd');
  for (const dir of [kwokStageDir, kwokCrdDir]) {
    if (!existsSync(dir)) throw new Error(`missing ${dir}; build.sh copies it next to the binaries (rerun npm run cluster:build)`);
  }
  return { binDir, paths, kwokStageDir: resolve(kwokStageDir), kwokCrdDir: resolve(kwokCrdDir) };
}

/**
 * cyclonus, the independent NetworkPolicy evaluator the policy tests judge compiled labs with:
 * `LABFORGE_CYCLONUS`, else whatever build-cyclonus.sh prints (a no-op once its cache is complete;
 * its own cache key, so it never invalidates the control plane's binaries).
 */
export async function locateCyclonus(log: (line: string) => void = () => {}): Promise<string> {
  const fromEnv = process.env.LABFORGE_CYCLONUS;
  const path = fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : await runBuildScript('build-cyclonus.sh', log);
  if (!existsSync(path)) throw new Error(`missing cyclonus at ${path} (run bash main/cluster/go/build-cyclonus.sh)`);
  return path;
}
