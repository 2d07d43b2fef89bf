/**
 * The real node's kubepods cgroup, as the benchmarks read it: what the labs' containers use,
 * not the control plane's or the kubelet's own processes (cgroup v1, cgroupfs or systemd layout).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One number from the kubepods cgroup, e.g. ('cpuacct', 'cpuacct.usage'); NaN when there is none. */
export function kubepods(controller: string, file: string): number {
  for (const base of [`/sys/fs/cgroup/${controller}/kubepods`, `/sys/fs/cgroup/${controller}/kubepods.slice`]) {
    try {
      return Number(readFileSync(join(base, file), 'utf8').trim());
    } catch {
      // try the next layout
    }
  }
  return NaN;
}
