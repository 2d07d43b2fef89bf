/**
 * Kind → REST path, by asking the API server (discovery), never from a table of our own: CRDs
 * (KubeVirt, kwok) appear at run time, and a table silently goes stale.
 */
import type { KubeHttp } from './http';
import { httpStatus } from './errors';

export interface Resource {
  /** The plural resource name in paths, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

export const groupVersionPath = (apiVersion: string) => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** How long "not served" is believed: long enough to spare a publish, short enough for a CRD install. */
const NEGATIVE_TTL_MS = 5_000;

export class RestMapper {
  /** Per group/version, the kinds it serves (undefined: not served) and when that was learned. */
  private readonly cache = new Map<string, { at: number; kinds: Promise<Map<string, Resource> | undefined> }>();

  constructor(private readonly http: KubeHttp) {}

  private fetch(apiVersion: string): Promise<Map<string, Resource> | undefined> {
    const kinds = this.http.request('GET', groupVersionPath(apiVersion)).then(
      (res) => {
        const out = new Map<string, Resource>();
        for (const r of (res.body as ApiResourceList).resources ?? []) {
          // Subresources (pods/log, deployments/scale) carry their parent's kind.
          if (!r.name.includes('/')) out.set(r.kind, { plural: r.name, namespaced: r.namespaced });
        }
        return out;
      },
      (err: unknown) => {
        if (httpStatus(err) === 404) return undefined;
        throw err;
      },
    );
    const entry = { at: Date.now(), kinds };
    this.cache.set(apiVersion, entry);
    // A failed call is not an answer: ask again next time.
    kinds.catch(() => this.cache.get(apiVersion) === entry && this.cache.delete(apiVersion));
    return kinds;
  }

  /** How the server serves `kind`, or undefined when it does not. */
  async resource(apiVersion: string, kind: string): Promise<Resource | undefined> {
    const entry = this.cache.get(apiVersion);
    const kinds = await (entry ? entry.kinds : this.fetch(apiVersion));
    const found = kinds?.get(kind);
    if (found || !entry || Date.now() - entry.at < NEGATIVE_TTL_MS) return found;
    // Not served when we last looked, a while ago: a CRD may have been installed since.
    return (await this.fetch(apiVersion))?.get(kind);
  }
}
