/**
 * A live view of a set of namespaces — a class's student namespaces, or one dev namespace —
 * and the pods, resource quotas and (when KubeVirt is served) VirtualMachines in them.
 *
 * One reflector per kind for the whole set, not one per namespace: a class of 500 students is
 * four list+watch streams. Changes are coalesced (a publish changes hundreds of pods a second)
 * into one notification per interval. It is a standalone object so that many views (the CLI's
 * `status --watch`, the app's class and dev panes) can share one: subscribe, unsubscribe, stop.
 */
import type { Cluster } from './cluster';
import type { KubeError } from './errors';
import { LABEL } from '../../common/compile/labels';
import { CONFIG_MAP, DEPLOYMENT, NAMESPACE, POD, RESOURCE_QUOTA, STATEFUL_SET, VIRTUAL_MACHINE, type IConfigMap, type IDeployment, type INamespace, type IPod, type IResourceQuota, type IStatefulSet, type VirtualMachine } from './kinds';
import { Reflector, type Meta, type ReflectorState, type ReflectorStats } from './reflector';

/** The label every namespace gets from the API server: selects one namespace by name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The component label of the ConfigMap that records which lab a dev namespace runs. */
export const LAB_RECORD_COMPONENT = 'lab-record';

/** What else to watch besides namespaces, pods, quotas and VMs. */
interface SetExtras {
  /** Deployments and StatefulSets: rollout progress, and why a pod could not be created (quota). */
  withWorkloads?: boolean;
  /** The lab record ConfigMaps: which lab a (dev) namespace runs. */
  withLabRecord?: boolean;
}

export type NamespaceSet =
  /** Namespaces by label; the objects in them by `objectSelector` (default: the same selector), across namespaces. */
  | ({ labelSelector: string; objectSelector?: string } & SetExtras)
  /** One namespace by name (the dev view); objects are watched inside it only. */
  | ({ namespace: string; objectSelector?: string } & SetExtras);

export interface NamespaceSetView {
  namespaces: INamespace[];
  /** Only objects in namespaces of the set. */
  pods: IPod[];
  quotas: IResourceQuota[];
  virtualMachines: VirtualMachine[];
  /** Empty unless the set asked for them (`withWorkloads`). */
  workloads: (IDeployment | IStatefulSet)[];
  /** Empty unless the set asked for them (`withLabRecord`). */
  labRecords: IConfigMap[];
}

/** What the watch holds, per kind; a new watch can resume from it (`from`) without listing. */
export interface NamespaceSetState {
  namespaces: ReflectorState<INamespace>;
  pods: ReflectorState<IPod>;
  quotas: ReflectorState<IResourceQuota>;
  virtualMachines?: ReflectorState<VirtualMachine>;
}

export interface NamespaceSetWatchOptions {
  /** One notification per this many ms at most (default 250). */
  coalesceMs?: number;
  /** Resume from an earlier watch's state instead of listing. */
  from?: NamespaceSetState;
  /** A failure being retried; the view keeps its last state meanwhile. */
  onError?: (err: KubeError) => void;
}

export type NamespaceSetListener = (view: NamespaceSetView) => void;

export class NamespaceSetWatch {
  private readonly listeners = new Set<NamespaceSetListener>();
  private readonly namespaces: Reflector<INamespace>;
  private readonly pods: Reflector<IPod>;
  private readonly quotas: Reflector<IResourceQuota>;
  private virtualMachines: Reflector<VirtualMachine> | undefined;
  private readonly deployments: Reflector<IDeployment> | undefined;
  private readonly statefulSets: Reflector<IStatefulSet> | undefined;
  private readonly labRecords: Reflector<IConfigMap> | undefined;
  /** How pods, quotas and VMs are selected: inside the one namespace, or by label across all. */
  private readonly scoped: { namespace?: string; labelSelector?: string; onChange: () => void; onError?: (err: KubeError) => void };
  private timer: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private ready = false;
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly set: NamespaceSet,
    private readonly opts: NamespaceSetWatchOptions = {},
  ) {
    const one = 'namespace' in set ? set.namespace : undefined;
    const nsSelector = 'namespace' in set ? `${NAMESPACE_NAME_LABEL}=${set.namespace}` : set.labelSelector;
    const objectSelector = set.objectSelector ?? ('labelSelector' in set ? set.labelSelector : undefined);
    const common = { onChange: () => this.changed(), ...(opts.onError ? { onError: opts.onError } : {}) };
    const scoped = { ...(one ? { namespace: one } : {}), ...(objectSelector ? { labelSelector: objectSelector } : {}), ...common };
    this.namespaces = new Reflector(cluster, { kind: NAMESPACE, labelSelector: nsSelector, ...common, ...from(opts.from?.namespaces) });
    this.pods = new Reflector(cluster, { kind: POD, ...scoped, ...from(opts.from?.pods) });
    this.quotas = new Reflector(cluster, { kind: RESOURCE_QUOTA, ...scoped, ...from(opts.from?.quotas) });
    this.scoped = scoped;
    if (set.withWorkloads) {
      this.deployments = new Reflector(cluster, { kind: DEPLOYMENT, ...scoped });
      this.statefulSets = new Reflector(cluster, { kind: STATEFUL_SET, ...scoped });
    }
    if (set.withLabRecord) {
      this.labRecords = new Reflector(cluster, { kind: CONFIG_MAP, ...common, ...(one ? { namespace: one } : {}), labelSelector: `${LABEL.component}=${LAB_RECORD_COMPONENT}` });
    }
  }

  /** Lists (or resumes) every kind; resolves when the view is complete. Rejects if a first list fails. */
  start(): Promise<void> {
    this.started ??= (async () => {
      if (await this.cluster.serves(VIRTUAL_MACHINE)) {
        this.virtualMachines = new Reflector(this.cluster, { kind: VIRTUAL_MACHINE, ...this.scoped, ...from(this.opts.from?.virtualMachines) });
      }
      try {
        await Promise.all(this.reflectors().map((r) => r.start()));
      } catch (err) {
        this.stop();
        throw err;
      }
      this.ready = true;
    })();
    return this.started;
  }

  /** Calls `listener` with the current view now (once started) and after every burst of changes. */
  subscribe(listener: NamespaceSetListener): () => void {
    this.listeners.add(listener);
    if (this.ready && !this.stopped) listener(this.view());
    return () => this.listeners.delete(listener);
  }

  view(): NamespaceSetView {
    const names = new Set<string>();
    for (const ns of this.namespaces.items.values()) if (ns.metadata?.name) names.add(ns.metadata.name);
    const inSet = <T extends Meta>(r: Reflector<T> | undefined) => [...(r?.items.values() ?? [])].filter((o) => names.has(o.metadata?.namespace ?? ''));
    return {
      namespaces: [...this.namespaces.items.values()],
      pods: inSet(this.pods),
      quotas: inSet(this.quotas),
      virtualMachines: inSet(this.virtualMachines),
      workloads: [...inSet(this.deployments), ...inSet(this.statefulSets)],
      labRecords: inSet(this.labRecords),
    };
  }

  state(): NamespaceSetState {
    return {
      namespaces: this.namespaces.state(),
      pods: this.pods.state(),
      quotas: this.quotas.state(),
      ...(this.virtualMachines ? { virtualMachines: this.virtualMachines.state() } : {}),
    };
  }

  /** Summed over the kinds: how many lists, 410 re-lists, watch requests and retried failures. */
  get stats(): ReflectorStats {
    const sum: ReflectorStats = { lists: 0, expired: 0, watches: 0, failures: 0 };
    for (const r of this.reflectors()) for (const k of Object.keys(sum) as (keyof ReflectorStats)[]) sum[k] += r.stats[k];
    return sum;
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.reflectors()) r.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private reflectors(): Reflector<Meta>[] {
    const all: (Reflector<Meta> | undefined)[] = [this.namespaces, this.pods, this.quotas, this.virtualMachines, this.deployments, this.statefulSets, this.labRecords];
    return all.filter((r) => r !== undefined);
  }

  private changed(): void {
    // Before the first complete view there is nothing to announce; after stop, nobody to tell.
    if (!this.ready || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped || this.listeners.size === 0) return;
      const view = this.view();
      for (const l of [...this.listeners]) l(view);
    }, this.opts.coalesceMs ?? 250);
  }
}

const from = <T>(state: ReflectorState<T> | undefined) => (state ? { from: state } : {});

