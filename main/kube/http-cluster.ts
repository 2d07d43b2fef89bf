/**
 * The Cluster interface against a real API server, over the one keep-alive HTTP path.
 */
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../common/compile/types';
import type { ApplyOptions, Cluster, ClusterIdentity, Kind, ListOptions, ObjectList, ServiceAccountToken, WatchEvent, WatchOptions, WatchStream } from './cluster';
import { KubeError, toKubeError } from './errors';
import { KubeHttp } from './http';
import type { ConnectOptions } from './kubeconfig';
import { loadKubeAccess, type KubeAccessConfig } from './kubeconfig-lite';
import { groupVersionPath, RestMapper, type Resource } from './rest-mapping';
import { FIELD_MANAGER, type JsonPatchOp } from './managed-fields';

/** The one field manager of everything Labforge applies, the local cluster's objects included. */

/** Server-side watches end after this long (randomised per watch, as client-go does), so no connection is held forever. */
const WATCH_SECONDS = { min: 300, max: 600 };

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = Object.entries(params)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return q ? `?${q}` : '';
}

interface ListBody {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

interface RawWatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number; message?: string; reason?: string };
}

/** `K`: the kubeconfig it was made from (client-node's KubeConfig when the caller passed one). */
export class HttpCluster<K extends KubeAccessConfig = KubeAccessConfig> implements Cluster {
  readonly identity: ClusterIdentity;
  private readonly http: KubeHttp;
  private readonly mapper: RestMapper;
  /** Where namespaced objects without a namespace go: the context's namespace, as kubectl does. */
  private readonly defaultNamespace: string;

  constructor(readonly kc: K) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeError('config', 'the kubeconfig has no current cluster', { hint: 'choose-context' });
    const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
    this.identity = {
      server: cluster.server,
      context: kc.getCurrentContext(),
      clusterName: cluster.name,
      user: kc.getCurrentUser()?.name ?? '',
      ...(caData ? { caData } : {}),
      ...(cluster.skipTLSVerify ? { skipTlsVerify: true } : {}),
    };
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
    this.http = new KubeHttp(kc);
    this.mapper = new RestMapper(this.http);
  }

  private error(err: unknown, what?: string): KubeError {
    return toKubeError(err, this.identity.server, what);
  }

  private async resource(kind: Kind<unknown>): Promise<Resource> {
    let r: Resource | undefined;
    try {
      r = await this.mapper.resource(kind.apiVersion, kind.kind);
    } catch (err) {
      throw this.error(err, `discovering ${kind.apiVersion}`);
    }
    if (!r) throw new KubeError('missing-api', `the cluster does not serve ${kind.kind} (${kind.apiVersion})`);
    return r;
  }

  /** The collection path of a kind, in one namespace or across all. */
  private async collectionPath(kind: Kind<unknown>, namespace: string | undefined): Promise<string> {
    const r = await this.resource(kind);
    const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${groupVersionPath(kind.apiVersion)}${ns}/${r.plural}`;
  }

  private async objectPath(kind: Kind<unknown>, name: string, namespace: string | undefined): Promise<string> {
    const r = await this.resource(kind);
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? this.defaultNamespace)}` : '';
    return `${groupVersionPath(kind.apiVersion)}${ns}/${r.plural}/${encodeURIComponent(name)}`;
  }

  async apply(obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
    try {
      const path = await this.objectPath(obj, obj.metadata.name, obj.metadata.namespace);
      // JSON is YAML, so the apply-patch+yaml content type takes it as it is.
      const res = await this.http.request('PATCH', `${path}${query({ fieldManager: FIELD_MANAGER, force: true, dryRun: opts.dryRun ? 'All' : undefined })}`, {
        body: JSON.stringify(obj),
        contentType: 'application/apply-patch+yaml',
      });
      return res.body as KubeObject;
    } catch (err) {
      throw this.error(err);
    }
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    try {
      const path = await this.collectionPath(obj, obj.metadata.namespace ?? this.defaultNamespace);
      const res = await this.http.request('POST', `${path}${query({ fieldManager: FIELD_MANAGER })}`, { body: JSON.stringify(obj) });
      return res.body as KubeObject;
    } catch (err) {
      throw this.error(err);
    }
  }

  async read<T>(kind: Kind<T>, name: string, namespace?: string): Promise<T | undefined> {
    try {
      const res = await this.http.request('GET', await this.objectPath(kind, name, namespace));
      return res.body as T;
    } catch (err) {
      const e = this.error(err);
      if (e.kind === 'not-found') return undefined;
      throw e;
    }
  }

  async delete(kind: Kind<unknown>, name: string, namespace?: string): Promise<boolean> {
    try {
      await this.http.request('DELETE', await this.objectPath(kind, name, namespace), {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }),
      });
      return true;
    } catch (err) {
      const e = this.error(err);
      if (e.kind === 'not-found') return false;
      throw e;
    }
  }

  async list<T>(kind: Kind<T>, opts: ListOptions = {}): Promise<ObjectList<T>> {
    try {
      const path = await this.collectionPath(kind, opts.namespace);
      const res = await this.http.request('GET', `${path}${query({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit })}`);
      const body = res.body as ListBody;
      // List items come without apiVersion and kind; callers compare and re-apply them.
      const items = (body.items ?? []).map((i) => ({ ...(i as object), apiVersion: kind.apiVersion, kind: kind.kind }) as T);
      return { items, resourceVersion: body.metadata?.resourceVersion ?? '' };
    } catch (err) {
      throw this.error(err);
    }
  }

  watch<T>(kind: Kind<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): WatchStream {
    let stopped = false;
    let stream: { abort(): void } | undefined;
    const timeoutSeconds = opts.timeoutSeconds ?? WATCH_SECONDS.min + Math.floor(Math.random() * (WATCH_SECONDS.max - WATCH_SECONDS.min));
    const done = (async () => {
      const path = await this.collectionPath(kind, opts.namespace);
      const q = query({
        watch: 1,
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      });
      if (stopped) return;
      let failure: KubeError | undefined;
      const s = this.http.stream(
        `${path}${q}`,
        (line) => {
          const ev = line as RawWatchEvent;
          if (ev.type === 'ERROR') {
            // The server reports a failed watch in the stream: 410 when the version is too old.
            const status = ev.object;
            failure = toKubeError({ code: status?.code, body: status }, this.identity.server);
            s.abort();
          } else if (ev.type === 'BOOKMARK') {
            onEvent({ type: 'BOOKMARK', resourceVersion: ev.object?.metadata?.resourceVersion ?? opts.resourceVersion });
          } else if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
            onEvent({ type: ev.type, object: { ...(ev.object as object), apiVersion: kind.apiVersion, kind: kind.kind } as T });
          }
        },
        // The server ends the watch at timeoutSeconds; silence well past that means a dead connection.
        (timeoutSeconds + 60) * 1000,
      );
      stream = s;
      if (stopped) s.abort();
      await s.done;
      if (failure) throw failure;
    })().catch((err: unknown) => {
      throw this.error(err);
    });
    // Nobody may be listening yet; the rejection is still delivered to whoever awaits `done`.
    done.catch(() => undefined);
    return {
      done,
      stop: () => {
        stopped = true;
        stream?.abort();
      },
    };
  }

  async serves(kind: Kind<unknown>): Promise<boolean> {
    try {
      return (await this.mapper.resource(kind.apiVersion, kind.kind)) !== undefined;
    } catch (err) {
      throw this.error(err, `discovering ${kind.apiVersion}`);
    }
  }

  async createToken(sa: { namespace: string; name: string }, expirationSeconds: number): Promise<ServiceAccountToken> {
    try {
      const res = await this.http.request('POST', `/api/v1/namespaces/${encodeURIComponent(sa.namespace)}/serviceaccounts/${encodeURIComponent(sa.name)}/token`, {
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds } }),
      });
      const status = (res.body as { status?: { token?: string; expirationTimestamp?: string } }).status;
      if (!status?.token || !status.expirationTimestamp) throw new KubeError('server', 'the cluster answered a token request without a token');
      return { token: status.token, expiresAt: new Date(status.expirationTimestamp).toISOString() };
    } catch (err) {
      throw this.error(err);
    }
  }

  async patch(kind: Kind<unknown>, name: string, namespace: string | undefined, ops: JsonPatchOp[], subresource?: 'status', fieldManager = FIELD_MANAGER): Promise<KubeObject> {
    try {
      const path = `${await this.objectPath(kind, name, namespace)}${subresource ? `/${subresource}` : ''}`;
      const res = await this.http.request('PATCH', `${path}${query({ fieldManager })}`, { body: JSON.stringify(ops), contentType: 'application/json-patch+json' });
      return res.body as KubeObject;
    } catch (err) {
      throw this.error(err);
    }
  }

  /** GET /version, then a one-item list: the server answers and the credentials work. */
  async ping(): Promise<{ version: string }> {
    try {
      const v = await this.http.request('GET', '/version');
      // /version is often public; a list proves the credentials too.
      await this.http.request('GET', '/api/v1/namespaces?limit=1');
      return { version: String((v.body as { gitVersion?: unknown }).gitVersion ?? '') };
    } catch (err) {
      throw this.error(err);
    }
  }

  close(): void {
    this.http.close();
  }
}

export function clusterFor<K extends KubeAccessConfig>(kc: K): HttpCluster<K> {
  return new HttpCluster(kc);
}

/**
 * The cluster of a kubeconfig file (or KUBECONFIG, ~/.kube/config) and context, read without
 * client-node (kubeconfig-lite.ts), so cluster commands start fast.
 */
export function connect(opts: ConnectOptions = {}): HttpCluster {
  return new HttpCluster(loadKubeAccess(opts));
}
