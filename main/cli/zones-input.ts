import { dirname, isAbsolute, resolve } from 'node:path';
import type { Zone } from '../class/zones';
import { zoneConnection, type ConnOpts } from './engine-command';
import { InvalidInputError } from './errors';

/**
 * Reads `--zones FILE`; a zone's kubeconfig path is relative to the file, and stored absolute.
 * Every zone's kubeconfig is read (through the bounded reader) and its context looked up here,
 * before anything is stored: a zone that cannot be opened is refused at its line, instead of
 * being recorded in the class and failing (or, before, hanging) every later command.
 */
export async function readZonesFile(file: string, opts: ConnOpts): Promise<Zone[]> {
  const [{ parseZonesFile }, { readLimited }, { loadKubeAccess }] = await Promise.all([import('../class/zones'), import('./lab-input'), import('../kube/kubeconfig-lite')]);
  const r = parseZonesFile(readLimited(file, { what: 'zones file', maxBytes: 256 * 1024 }));
  if (!r.ok) throw new InvalidInputError(r.issues.map((i) => `${file}:${i.line}:${i.column}: ${i.path}: ${i.message}`));
  const zones = r.zones.map((z) => (z.kubeconfig && !isAbsolute(z.kubeconfig) ? { ...z, kubeconfig: resolve(dirname(file), z.kubeconfig) } : z));
  const problems: string[] = [];
  zones.forEach((zone, i) => {
    try {
      loadKubeAccess(zoneConnection(zone, opts));
    } catch (err) {
      problems.push(`${file}:${r.at[i]!.line}:${r.at[i]!.column}: zones[${i}]${zone.kubeconfig ? '.kubeconfig' : ''}: ${(err as Error).message}`);
    }
  });
  if (problems.length) throw new InvalidInputError(problems);
  return zones;
}
