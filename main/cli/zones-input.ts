import { dirname, isAbsolute, resolve } from 'node:path';
import type { Zone } from '../class/zones';
import type { ConnOpts } from './commands/engine';
import { InvalidInputError } from './errors';

/** Reads `--zones FILE`; a zone's kubeconfig path is relative to the file, and stored absolute. */
export async function readZonesFile(file: string): Promise<Zone[]> {
  const [{ parseZonesFile }, { readLimited }] = await Promise.all([import('../class/zones'), import('./lab-input')]);
  const r = parseZonesFile(readLimited(file, { what: 'zones file', maxBytes: 256 * 1024 }));
  if (!r.ok) throw new InvalidInputError(r.issues.map((i) => `${file}:${i.line}:${i.column}: ${i.path}: ${i.message}`));
  return r.zones.map((z) => (z.kubeconfig && !isAbsolute(z.kubeconfig) ? { ...z, kubeconfig: resolve(dirname(file), z.kubeconfig) } : z));
}

/** Opens a zone: its own kubeconfig (or the command's), its context (or that file's current one). */
export async function zoneConnector(opts: ConnOpts): Promise<(zone: Zone) => import('../kube/cluster').Cluster> {
  const { connect } = await import('../kube/http-cluster');
  return (zone) => connect({ ...(zone.kubeconfig ?? opts.kubeconfig ? { kubeconfig: zone.kubeconfig ?? opts.kubeconfig } : {}), ...(zone.context ? { context: zone.context } : {}) });
}
