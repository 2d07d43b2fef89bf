/**
 * The narrow interface between Labforge and a Kubernetes API server. The engine sees a cluster
 * only through this: a handful of object operations, list and watch, discovery, one token call
 * and the identity needed to write kubeconfigs. Everything richer — applying in phases,
 * preflight, pruning, watching a set of namespaces — is built on it in main/kube/, once, so it
 * runs the same against a real server (http-cluster.ts) and in memory (test/helpers/in-memory-cluster.ts, for tests).
 *
 * Every method throws KubeError (already classified, with a next step); a missing object is a
 * value (`undefined`, `false`), not an error.
 */
import type { KubeObject } from '../../common/compile/types';
import type { JsonPatchOp } from './managed-fields';

/**
 * A kind, typed with the shape of its objects (`T` is only carried, never stored), so that
 * `list(POD)` returns pods. The shapes are JSON, as the API server sends them.
 */
export interface Kind<T = KubeObject> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Never set: carries the object type. */
  readonly __shape?: T;
}

export function kindOf<T = KubeObject>(apiVersion: string, kind: string): Kind<T> {
  return { apiVersion, kind };
}

export interface ListOptions {
  /** One namespace; default: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  /** Field selector, e.g. `status.phase!=Succeeded`. */
  fieldSelector?: string;
  limit?: number;
}

/** Items carry apiVersion and kind (the API server leaves them out of list items; we fill them in). */
export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions extends Omit<ListOptions, 'limit'> {
  /** Events after this version; from a list, an earlier event or a bookmark. */
  resourceVersion: string;
  /** Ask the server to end the watch after this long (it may end it earlier). */
  timeoutSeconds?: number;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Nothing changed for us, but the server's version moved on: resume from here. */
  | { type: 'BOOKMARK'; resourceVersion: string };

export interface WatchStream {
  /**
   * Settles when the watch ends: resolves when the server closed it normally (resume from the
   * last version seen), rejects with a KubeError when it failed — kind `expired` (410 Gone)
   * when the version is too old to resume from, `unreachable` when the connection dropped.
   */
  readonly done: Promise<void>;
  stop(): void;
}

export interface ApplyOptions {
  /** Server-side dry run: admission runs, nothing is stored. */
  dryRun?: boolean;
}

/** Where the cluster is and who we are there: for messages and for writing kubeconfigs. */
export interface ClusterIdentity {
  server: string;
  /** The kubeconfig context and the names of its cluster and user entries. */
  context: string;
  clusterName: string;
  user: string;
  /** The CA bundle (base64 PEM) that verifies the server, when the kubeconfig has one. */
  caData?: string;
  skipTlsVerify?: boolean;
}

export interface ServiceAccountToken {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface Cluster {
  readonly identity: ClusterIdentity;
  /** Server-side apply of one object (create or update; our field manager wins conflicts). */
  apply(obj: KubeObject, opts?: ApplyOptions): Promise<KubeObject>;
  /** Creates; a KubeError of kind `conflict` (409) when the object exists. */
  create(obj: KubeObject): Promise<KubeObject>;
  /**
   * A JSON patch (RFC 6902) of one object, or of its status; a failed `test` op is an error.
   * `fieldManager` (default: Labforge's) names who owns what the patch writes: fields that
   * publish does not compile are written under a manager of their own, so no apply adopts them.
   */
  patch(kind: Kind<unknown>, name: string, namespace: string | undefined, ops: JsonPatchOp[], subresource?: 'status', fieldManager?: string): Promise<KubeObject>;
  /** One object; undefined when it does not exist. */
  read<T>(kind: Kind<T>, name: string, namespace?: string): Promise<T | undefined>;
  /** Deletes one object (dependents in the background); false when it did not exist. */
  delete(kind: Kind<unknown>, name: string, namespace?: string): Promise<boolean>;
  list<T>(kind: Kind<T>, opts?: ListOptions): Promise<ObjectList<T>>;
  /** Events after `opts.resourceVersion`; bookmarks are always asked for. */
  watch<T>(kind: Kind<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): WatchStream;
  /** Whether the API serves the kind (false when its group or version is absent). */
  serves(kind: Kind<unknown>): Promise<boolean>;
  /** A TokenRequest: a short-lived token of a service account. */
  createToken(serviceAccount: { namespace: string; name: string }, expirationSeconds: number): Promise<ServiceAccountToken>;
  /** Releases connections; the object is unusable afterwards. */
  close(): void;
}
