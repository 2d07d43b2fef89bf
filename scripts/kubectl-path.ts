/**
 * The kubectl the benchmarks compare against: the one built with the local control plane
 * (main/cluster/binaries.ts, LABFORGE_CLUSTER_BIN or the cached build), else the one on PATH.
 */
import { spawnSync } from 'node:child_process';
import { locateBinaries } from '../main/cluster/binaries';

export async function kubectlPath(): Promise<string | undefined> {
  try {
    return (await locateBinaries()).paths.kubectl;
  } catch {
    // no local build: fall back to PATH
  }
  const which = spawnSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}
