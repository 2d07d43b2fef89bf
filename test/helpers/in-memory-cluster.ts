/**
 * The Cluster interface in memory, for fast unit tests of the engine. It keeps what the engine
 * relies on from a real API server, and nothing more:
 * - objects by kind, namespace and name, each with a uid and a resourceVersion from one counter,
 *   a generation that counts spec changes, and namespaces labelled with their name;
 * - namespaced objects need their namespace (NamespaceLifecycle); deleting a namespace deletes
 *   what is in it; `default` exists from the start;
 * - apply = create or update: the applied fields replace ours, status and server metadata stay
 *   (as server-side apply does with a single field manager); an apply that changes nothing
 *   changes no version and sends no event; dry runs store nothing and send nothing;
 * - immutable ConfigMaps refuse changes; a ResourceQuota's status.hard follows spec.hard at once
 *   (the quota controller, instantly);
 * - label selectors (`a=b,c!=d`, `in`, `notin`, exists) and simple field selectors;
 * - watches from a resourceVersion with replay, selector-aware ADDED/MODIFIED/DELETED, bookmarks,
 *   410 Gone once the event log is compacted past the version, and dropped connections on demand.
 *
 * No controllers run: Deployments make no pods. Tests put pods, nodes and statuses with `put`.
 * `admit` lets a test refuse writes the way admission (a quota) or a flaky server would.
 */
import type { KubeObject } from '../../common/compile/types';
import type { ApplyOptions, Cluster, ClusterIdentity, Kind, ListOptions, ObjectList, ServiceAccountToken, WatchEvent, WatchOptions, WatchStream } from '../../main/kube/cluster';
import { KubeError } from '../../main/kube/errors';
import { applyJsonPatch, JsonPatchError } from '../../main/kube/json-patch';
import type { JsonPatchOp } from '../../main/kube/managed-fields';
import { parseFieldSelector, parseLabelSelector, type Matcher } from '../../main/kube/label-selector';

export interface ServedKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

const BUILTIN_KINDS: ServedKind[] = [
  ...['Namespace', 'Node', 'PersistentVolume'].map((kind) => ({ apiVersion: 'v1', kind, namespaced: false })),
  ...['Pod', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota', 'LimitRange', 'PersistentVolumeClaim'].map((kind) => ({ apiVersion: 'v1', kind, namespaced: true })),
  ...['Deployment', 'StatefulSet'].map((kind) => ({ apiVersion: 'apps/v1', kind, namespaced: true })),
  ...['NetworkPolicy', 'Ingress'].map((kind) => ({ apiVersion: 'networking.k8s.io/v1', kind, namespaced: true })),
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', namespaced: false },
  ...['Role', 'RoleBinding'].map((kind) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, namespaced: true })),
  ...['ClusterRole', 'ClusterRoleBinding'].map((kind) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, namespaced: false })),
];

export const KUBEVIRT_KINDS: ServedKind[] = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', namespaced: true }];

/** One write the cluster was asked for, in the order asked (refused ones included). */
export interface Write {
  verb: 'apply' | 'create' | 'patch' | 'delete';
  dryRun: boolean;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The object sent (apply, create). */
  object?: KubeObject;
}

export interface MemoryClusterOptions {
  /** Kinds served besides the built-in core, apps, networking and RBAC kinds (e.g. KUBEVIRT_KINDS). */
  kinds?: ServedKind[];
  /** Runs before every write, dry runs included; throw a KubeError to refuse it. */
  admit?: (write: Write) => void;
  identity?: Partial<ClusterIdentity>;
}

interface StoredEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object before the change (MODIFIED), for selector transitions. */
  before?: KubeObject;
  object: KubeObject;
}

interface Watcher {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labels: Matcher;
  fields: (o: unknown) => boolean;
  send: (event: WatchEvent<unknown>) => void;
  end: (err?: KubeError) => void;
}

/** A deep copy through JSON, as the wire would make it: nothing the caller holds is shared. */
function copy<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value));
}

const typeKey = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;

export class MemoryCluster implements Cluster {
  readonly identity: ClusterIdentity;
  /** Every write asked for, in order. */
  readonly writes: Write[] = [];
  private readonly kinds = new Map<string, ServedKind>();
  private readonly objects = new Map<string, KubeObject>();
  private readonly events: StoredEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private version = 1000;
  /** Events up to this version are forgotten: a watch from before it gets 410 Gone. */
  private compactedThrough = 0;
  private uids = 0;

  constructor(private readonly opts: MemoryClusterOptions = {}) {
    for (const k of [...BUILTIN_KINDS, ...(opts.kinds ?? [])]) this.kinds.set(typeKey(k.apiVersion, k.kind), k);
    this.identity = { server: 'https://memory.invalid', context: 'memory', clusterName: 'memory', user: 'memory-admin', ...opts.identity };
    for (const name of ['default', 'kube-system']) this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } });
  }

  // ---- the Cluster interface

  async apply(obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
    const served = this.served(obj);
    const target = this.normalise(obj, served);
    this.admitWrite({ verb: 'apply', dryRun: !!opts.dryRun, ...this.refOf(target), object: copy(obj) });
    this.requireNamespace(target, served);
    const existing = this.objects.get(this.keyOf(target));
    if (existing && existing.kind === 'ConfigMap' && existing['immutable'] === true && JSON.stringify(existing['data']) !== JSON.stringify(target['data'])) {
      throw new KubeError('invalid', `ConfigMap "${target.metadata.name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`, { status: 422 });
    }
    const next = this.merged(target, existing);
    if (existing && sameContent(existing, next)) return copy(existing);
    if (opts.dryRun) return copy(next);
    return this.store(next, existing);
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const served = this.served(obj);
    const target = this.normalise(obj, served);
    this.admitWrite({ verb: 'create', dryRun: false, ...this.refOf(target), object: copy(obj) });
    this.requireNamespace(target, served);
    if (this.objects.has(this.keyOf(target))) {
      throw new KubeError('conflict', `${target.kind.toLowerCase()}s "${target.metadata.name}" already exists`, { status: 409 });
    }
    return this.store(this.merged(target, undefined), undefined);
  }

  async patch(kind: Kind<unknown>, name: string, namespace: string | undefined, ops: JsonPatchOp[], subresource?: 'status'): Promise<KubeObject> {
    const served = this.served(kind);
    const target = this.normalise({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } }, served);
    this.admitWrite({ verb: 'patch', dryRun: false, ...this.refOf(target) });
    const existing = this.objects.get(this.keyOf(target));
    if (!existing) throw new KubeError('not-found', `${kind.kind.toLowerCase()}s "${name}" not found`, { status: 404 });
    let next: KubeObject;
    try {
      next = applyJsonPatch(existing, ops);
    } catch (err) {
      if (!(err instanceof JsonPatchError)) throw err;
      throw new KubeError('invalid', `the server rejected our request due to an error in our request: ${err.message}`, { status: 422 });
    }
    // A patch of the status subresource changes the status only, as the server's would.
    if (subresource === 'status') next = { ...existing, status: next['status'] };
    if (sameContent(existing, next)) return copy(existing);
    return this.store(next, existing);
  }

  async read<T>(kind: Kind<T>, name: string, namespace?: string): Promise<T | undefined> {
    const served = this.served(kind);
    const found = this.objects.get(this.key(kind.apiVersion, kind.kind, served.namespaced ? (namespace ?? 'default') : undefined, name));
    return found ? copy<T>(found) : undefined;
  }

  async delete(kind: Kind<unknown>, name: string, namespace?: string): Promise<boolean> {
    const served = this.served(kind);
    const ns = served.namespaced ? (namespace ?? 'default') : undefined;
    this.admitWrite({ verb: 'delete', dryRun: false, apiVersion: kind.apiVersion, kind: kind.kind, ...(ns ? { namespace: ns } : {}), name });
    const key = this.key(kind.apiVersion, kind.kind, ns, name);
    const found = this.objects.get(key);
    if (!found) return false;
    if (kind.apiVersion === 'v1' && kind.kind === 'Namespace') {
      // The namespace controller, at once: everything inside goes first.
      for (const o of [...this.objects.values()]) if (o.metadata.namespace === name) this.remove(o);
    }
    this.remove(found);
    return true;
  }

  async list<T>(kind: Kind<T>, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const served = this.served(kind);
    const items = this.matching(kind.apiVersion, kind.kind, served.namespaced ? opts.namespace : undefined, parseLabelSelector(opts.labelSelector), parseFieldSelector(opts.fieldSelector));
    const limited = opts.limit ? items.slice(0, opts.limit) : items;
    return { items: limited.map((o) => copy<T>(o)), resourceVersion: String(this.version) };
  }

  watch<T>(kind: Kind<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): WatchStream {
    let watcher: Watcher | undefined;
    let settle: { resolve: () => void; reject: (e: KubeError) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined);
    const end = (err?: KubeError) => {
      if (watcher) this.watchers.delete(watcher);
      if (err) settle?.reject(err);
      else settle?.resolve();
    };
    try {
      const served = this.served(kind);
      const from = Number(opts.resourceVersion);
      if (!Number.isFinite(from) || from < this.compactedThrough) {
        throw new KubeError('expired', `too old resource version: ${opts.resourceVersion} (${this.compactedThrough})`, { status: 410 });
      }
      const w: Watcher = {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        ...(served.namespaced && opts.namespace ? { namespace: opts.namespace } : {}),
        labels: parseLabelSelector(opts.labelSelector),
        fields: parseFieldSelector(opts.fieldSelector),
        // Events arrive asynchronously, in order, as they would over a connection.
        send: (event) => queueMicrotask(() => this.watchers.has(w) && onEvent(copy<WatchEvent<T>>(event))),
        end,
      };
      watcher = w;
      for (const ev of this.events) if (ev.rv > from) this.deliver(w, ev);
      this.watchers.add(w);
    } catch (err) {
      end(err instanceof KubeError ? err : new KubeError('unknown', String(err)));
    }
    return { done, stop: () => end() };
  }

  async serves(kind: Kind<unknown>): Promise<boolean> {
    return this.kinds.has(typeKey(kind.apiVersion, kind.kind));
  }

  async createToken(sa: { namespace: string; name: string }, expirationSeconds: number): Promise<ServiceAccountToken> {
    if (!this.objects.has(this.key('v1', 'ServiceAccount', sa.namespace, sa.name))) {
      throw new KubeError('not-found', `serviceaccounts "${sa.name}" not found`, { status: 404 });
    }
    return { token: `memory-token.${sa.namespace}.${sa.name}.${++this.uids}`, expiresAt: new Date(Date.now() + expirationSeconds * 1000).toISOString() };
  }

  close(): void {
    for (const w of [...this.watchers]) w.end();
  }

  // ---- for tests: what a controller, kubelet or network would do

  /** Stores an object as given, status included (as a controller writing status would). */
  put(obj: KubeObject): KubeObject {
    const served = this.served(obj);
    const target = this.normalise(obj, served);
    const existing = this.objects.get(this.keyOf(target));
    const next: KubeObject = copy(target);
    next.metadata.uid = existing?.metadata.uid ?? target.metadata.uid ?? `uid-${++this.uids}`;
    next.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    return this.store(next, existing);
  }

  /** Every stored object of a kind (all namespaces), for assertions. */
  all(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.matching(apiVersion, kind, namespace, () => true, () => true).map((o) => copy<KubeObject>(o));
  }

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.version);
  }

  /** Forgets the event log, as etcd compaction does: watches from an older version get 410 Gone. */
  compact(): void {
    this.compactedThrough = this.version;
    this.events.length = 0;
  }

  /** Sends every open watch a bookmark at the current version. */
  bookmark(): void {
    for (const w of this.watchers) w.send({ type: 'BOOKMARK', resourceVersion: String(this.version) });
  }

  /** Cuts every open watch as a dropped connection would. */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      w.end(new KubeError('unreachable', `cannot reach the cluster at ${this.identity.server} (ECONNRESET)`, { network: 'ECONNRESET', hint: 'check-cluster' }));
    }
  }

  /** Open watches, to check that stopped ones are gone. */
  get openWatches(): number {
    return this.watchers.size;
  }

  // ---- internals

  private served(kind: { apiVersion: string; kind: string }): ServedKind {
    const k = this.kinds.get(typeKey(kind.apiVersion, kind.kind));
    if (!k) throw new KubeError('missing-api', `the cluster does not serve ${kind.kind} (${kind.apiVersion})`);
    return k;
  }

  private key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
    return `${typeKey(apiVersion, kind)}|${namespace ?? ''}|${name}`;
  }

  private keyOf(o: KubeObject): string {
    return this.key(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  }

  private refOf(o: KubeObject): Omit<Write, 'verb' | 'dryRun' | 'object'> {
    return { apiVersion: o.apiVersion, kind: o.kind, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name };
  }

  /** Namespaced objects get `default` when they name none; cluster-scoped ones lose any namespace. */
  private normalise(obj: KubeObject, served: ServedKind): KubeObject {
    if (!obj.metadata?.name) throw new KubeError('invalid', `${obj.kind}: metadata.name: Required value: name is required`, { status: 422 });
    const { namespace: _ignored, ...meta } = obj.metadata;
    if (obj.apiVersion === 'v1' && obj.kind === 'Namespace') {
      // As the API server does, so a namespace can be selected by its name.
      meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    }
    return { ...obj, metadata: served.namespaced ? { ...meta, namespace: obj.metadata.namespace ?? 'default' } : meta };
  }

  private admitWrite(write: Write): void {
    this.writes.push(write);
    this.opts.admit?.(write);
  }

  private requireNamespace(obj: KubeObject, served: ServedKind): void {
    const ns = obj.metadata.namespace;
    if (served.namespaced && ns && !this.objects.has(this.key('v1', 'Namespace', undefined, ns))) {
      throw new KubeError('not-found', `namespaces "${ns}" not found`, { status: 404 });
    }
  }

  /** The applied fields over what the server keeps: status, uid, creation time. */
  private merged(applied: KubeObject, existing: KubeObject | undefined): KubeObject {
    const next: KubeObject = copy(applied);
    delete next['status'];
    next.metadata.uid = existing?.metadata.uid ?? `uid-${++this.uids}`;
    next.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    if (next['spec'] !== undefined) {
      // The server counts spec changes; controllers report the generation they acted on.
      const changed = !existing || JSON.stringify(existing['spec']) !== JSON.stringify(next['spec']);
      const previous = typeof existing?.metadata['generation'] === 'number' ? existing.metadata['generation'] : 0;
      next.metadata['generation'] = changed ? previous + 1 : previous;
    }
    if (existing?.metadata.resourceVersion) next.metadata.resourceVersion = existing.metadata.resourceVersion;
    else delete next.metadata.resourceVersion;
    if (existing && existing['status'] !== undefined) next['status'] = copy(existing['status']);
    if (next.kind === 'ResourceQuota' && next.apiVersion === 'v1') {
      // The quota controller copies spec.hard into status.hard, which admission enforces.
      const spec = next['spec'] as { hard?: Record<string, string> } | undefined;
      const status = (next['status'] ?? {}) as { hard?: Record<string, string>; used?: Record<string, string> };
      next['status'] = { ...status, hard: { ...spec?.hard } };
    }
    return next;
  }

  private store(next: KubeObject, before: KubeObject | undefined): KubeObject {
    next.metadata.resourceVersion = String(++this.version);
    this.objects.set(this.keyOf(next), next);
    this.emit({ rv: this.version, type: before ? 'MODIFIED' : 'ADDED', ...(before ? { before } : {}), object: next });
    return copy(next);
  }

  private remove(obj: KubeObject): void {
    this.objects.delete(this.keyOf(obj));
    const gone: KubeObject = copy(obj);
    gone.metadata.resourceVersion = String(++this.version);
    this.emit({ rv: this.version, type: 'DELETED', object: gone });
  }

  private emit(ev: StoredEvent): void {
    this.events.push(ev);
    for (const w of this.watchers) this.deliver(w, ev);
  }

  /** One stored event to one watch, as the server filters it: selector changes become ADDED/DELETED. */
  private deliver(w: Watcher, ev: StoredEvent): void {
    const o = ev.object;
    if (o.apiVersion !== w.apiVersion || o.kind !== w.kind || (w.namespace && o.metadata.namespace !== w.namespace)) return;
    const matches = (x: KubeObject | undefined) => !!x && w.labels(x.metadata.labels) && w.fields(x);
    const now = matches(o);
    const was = ev.type === 'MODIFIED' ? matches(ev.before) : ev.type === 'DELETED';
    if (ev.type === 'DELETED') {
      if (now) w.send({ type: 'DELETED', object: o });
    } else if (ev.type === 'ADDED') {
      if (now) w.send({ type: 'ADDED', object: o });
    } else if (now && was) w.send({ type: 'MODIFIED', object: o });
    else if (now) w.send({ type: 'ADDED', object: o });
    else if (was) w.send({ type: 'DELETED', object: o });
  }

  private matching(apiVersion: string, kind: string, namespace: string | undefined, labels: Matcher, fields: (o: unknown) => boolean): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.objects.values()) {
      if (o.apiVersion !== apiVersion || o.kind !== kind) continue;
      if (namespace && o.metadata.namespace !== namespace) continue;
      if (labels(o.metadata.labels) && fields(o)) out.push(o);
    }
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }
}

/** Equal apart from the version, whatever the key order: an apply that changes nothing. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canonical(x)])) : v;
  const strip = (o: KubeObject) => JSON.stringify(canonical({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } }));
  return strip(a) === strip(b);
}
