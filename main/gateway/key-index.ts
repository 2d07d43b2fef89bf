/**
 * The gateway's view of a class's SSH keys: every key Secret of the class, kept live, looked up
 * by student at login.
 *
 * With the instructor's credentials (or any that may list Secrets across namespaces) it is one
 * label-selected list+watch for the whole class, however many students. Kubernetes RBAC cannot
 * narrow a cross-namespace list by label, so the least-privilege in-cluster gateway
 * (manifests.ts) may only read Secrets inside the class's namespaces; when the class-wide list
 * is forbidden the index falls back to one list+watch of the class's namespaces and one per
 * student namespace.
 */
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, type INamespace } from '../kube/kinds';
import { Reflector } from '../kube/reflector';
import { classSelector } from '../engine/publish';
import { keySelector, SECRET, storedKey, type SecretObject, type StoredKey } from './key-store';

export interface KeyIndexOptions {
  /** After every change to the keys (a key added, changed, revoked or expired out). */
  onChange?: () => void;
  onError?: (err: KubeError) => void;
}

export class KeyIndex {
  private main: Reflector<SecretObject> | undefined;
  private namespaces: Reflector<INamespace> | undefined;
  private readonly perNamespace = new Map<string, Reflector<SecretObject>>();
  /** 'class': one class-wide watch; 'namespaces': the fallback, one per student namespace. */
  mode: 'class' | 'namespaces' = 'class';

  constructor(
    private readonly cluster: Cluster,
    private readonly className: string,
    private readonly opts: KeyIndexOptions = {},
  ) {}

  async start(): Promise<void> {
    const changed = () => this.opts.onChange?.();
    const onError = (err: KubeError) => this.opts.onError?.(err);
    this.main = new Reflector(this.cluster, { kind: SECRET, labelSelector: keySelector(this.className), onChange: changed, onError });
    try {
      await this.main.start();
      return;
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'forbidden')) throw err instanceof KubeError ? err.in(`watching the SSH keys of class ${this.className}`) : err;
    }
    this.main = undefined;
    this.mode = 'namespaces';
    this.namespaces = new Reflector(this.cluster, { kind: NAMESPACE, labelSelector: classSelector(this.className), onChange: () => this.syncNamespaces(), onError });
    try {
      await this.namespaces.start();
    } catch (err) {
      throw err instanceof KubeError ? err.in(`listing the namespaces of class ${this.className} (the class-wide key list was forbidden too)`) : err;
    }
    await Promise.all([...this.perNamespace.values()].map((r) => r.start().catch((e: unknown) => onError(e instanceof KubeError ? e : new KubeError('unknown', String(e))))));
  }

  private syncNamespaces(): void {
    const want = new Set([...(this.namespaces?.items.values() ?? [])].map((n) => n.metadata?.name ?? ''));
    for (const [ns, r] of this.perNamespace) {
      if (!want.has(ns)) {
        r.stop();
        this.perNamespace.delete(ns);
      }
    }
    for (const ns of want) {
      if (!ns || this.perNamespace.has(ns)) continue;
      const r = new Reflector(this.cluster, { kind: SECRET, namespace: ns, labelSelector: keySelector(this.className), onChange: () => this.opts.onChange?.(), onError: (e) => this.opts.onError?.(e) });
      this.perNamespace.set(ns, r);
      // Started here for namespaces that appear later; the first batch is awaited in start().
      if (this.namespaces?.resourceVersion) void r.start().catch((e: unknown) => this.opts.onError?.(e instanceof KubeError ? e : new KubeError('unknown', String(e))));
    }
    this.opts.onChange?.();
  }

  private *secrets(): Iterable<SecretObject> {
    if (this.main) yield* this.main.items.values();
    for (const r of this.perNamespace.values()) yield* r.items.values();
  }

  /** The student's keys that are valid now (not expired). */
  keysOf(student: string, now = Date.now()): StoredKey[] {
    const out: StoredKey[] = [];
    for (const s of this.secrets()) {
      const k = storedKey(s, now);
      if (k && k.student === student && !k.expired) out.push(k);
    }
    return out;
  }

  /** Whether this student's key (by fingerprint) is still there and not expired. */
  isValid(student: string, fingerprint: string, now = Date.now()): boolean {
    return this.keysOf(student, now).some((k) => k.fingerprint === fingerprint);
  }

  get size(): number {
    let n = 0;
    for (const _ of this.secrets()) n++;
    return n;
  }

  stop(): void {
    this.main?.stop();
    this.namespaces?.stop();
    for (const r of this.perNamespace.values()) r.stop();
    this.perNamespace.clear();
  }
}
