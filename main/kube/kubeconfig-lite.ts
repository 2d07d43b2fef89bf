/**
 * A kubeconfig reader for the HTTP path (connect(), HttpCluster) that does not load
 * @kubernetes/client-node: client-node's KubeConfig imports every generated API and model, which
 * cost more than half a second of CPU at every CLI start, while the HTTP path needs only the
 * current cluster, context and user and the TLS options and Authorization header they make.
 *
 * Files merge as kubectl merges them: KUBECONFIG is a list (":"-separated), the first file that
 * names a cluster, user or context wins, and current-context comes from the first file that sets
 * it. Relative paths resolve against the directory of the file that holds them.
 *
 * Supported: server, certificate-authority(-data), insecure-skip-tls-verify, tls-server-name,
 * client-certificate(-data), client-key(-data), token, tokenFile, username/password, `as`
 * (impersonation) and exec credential plugins (client.authentication.k8s.io v1 and v1beta1,
 * exec-credential.ts).
 * Anything else a user entry carries (auth-provider: oidc, gcp, azure; impersonated groups, …)
 * is handed to client-node's KubeConfig, loaded on first use, so what worked before still works.
 * With no kubeconfig file at all, the in-cluster service account is used, then
 * http://localhost:8080, as client-node does.
 */
import { existsSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { KubeError } from './errors';
import { parseExec, runExecPlugin, type ExecConfig, type ExecResult } from './exec-credential';
import { InputFileError, readInputFileSync } from './input-file';
import type { ConnectOptions } from './kubeconfig';
import { selectContext, unreadableKubeconfig } from './kubeconfig-context';

export interface KubeClusterEntry {
  readonly name: string;
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
}

/**
 * What Labforge's HTTP path uses of a kubeconfig. Our LiteKubeConfig implements it, and
 * client-node's KubeConfig has the same shape, so either can back an HttpCluster.
 */
export interface KubeAccessConfig {
  getCurrentCluster(): KubeClusterEntry | null;
  getCurrentContext(): string;
  getCurrentUser(): { readonly name: string } | null;
  getContextObject(name: string): { readonly namespace?: string } | null;
  /** Fills in CA, client certificate, TLS checks and the Authorization header of the current user. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
  /**
   * The server answered 401 to a request made with `issued` (options this config filled in).
   * True when a second try may present other credentials; the next applyToHTTPSOptions then
   * fetches them afresh. Absent: credentials never change (client-node handles its own).
   */
  credentialsRejected?(issued: https.RequestOptions): boolean;
}

type Raw = Record<string, unknown>;

interface NamedEntry {
  name: string;
  /** The entry's body (`cluster:`, `user:` or `context:`), paths already absolute. */
  body: Raw;
}

/** The user keys this reader understands; any other key hands the user to client-node. */
const USER_KEYS = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'username', 'password', 'exec', 'as', 'extensions']);
const CLUSTER_PATH_KEYS = ['certificate-authority'];
const USER_PATH_KEYS = ['client-certificate', 'client-key', 'tokenFile'];
/** Credentials this close to expiry are fetched again, so a request does not leave with a dying token. */
const EXPIRY_MARGIN_MS = 10_000;

const SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A kubeconfig file, at most this large: the largest real ones (hundreds of contexts with their
 * certificates inline) are a few MiB.
 */
const MAX_KUBECONFIG_BYTES = 16 * 2 ** 20;
/** A file a kubeconfig names: a PEM certificate, key or bundle, or a token. */
const MAX_CREDENTIAL_FILE_BYTES = 2 ** 20;

/**
 * A file a kubeconfig names (certificate, key, token), through the one bounded reader: a FIFO
 * or a device there would otherwise hang or fill every request that reads it.
 */
function readNamedFile(path: string, what: string): string {
  try {
    return readInputFileSync(path, { what, maxBytes: MAX_CREDENTIAL_FILE_BYTES });
  } catch (err) {
    if (err instanceof InputFileError) throw new KubeError('config', `the kubeconfig's ${what} ${path}: ${err.message}`, { hint: 'choose-context' });
    throw err;
  }
}

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class LiteKubeConfig implements KubeAccessConfig {
  private currentContext: string;
  private readonly execCache = new Map<string, Promise<ExecResult>>();
  /** Which plugin credential went into which request options, to know what a 401 refused. */
  private readonly issued = new WeakMap<https.RequestOptions, ExecResult>();
  private fallback: Promise<KubeAccessConfig> | undefined;

  constructor(
    private readonly clusters: Map<string, NamedEntry>,
    private readonly users: Map<string, NamedEntry>,
    private readonly contexts: Map<string, NamedEntry>,
    currentContext: string,
    /** Where the entries came from, for messages. */
    readonly source: string,
  ) {
    this.currentContext = currentContext;
  }

  getContexts(): { name: string; cluster: string; user: string; namespace?: string }[] {
    return [...this.contexts.values()].map((c) => ({ name: c.name, cluster: str(c.body['cluster']) ?? '', user: str(c.body['user']) ?? '', ...(str(c.body['namespace']) ? { namespace: str(c.body['namespace'])! } : {}) }));
  }

  getCurrentContext(): string {
    return this.currentContext;
  }

  setCurrentContext(name: string): void {
    this.currentContext = name;
  }

  getContextObject(name: string): { name: string; cluster: string; user: string; namespace?: string } | null {
    return this.getContexts().find((c) => c.name === name) ?? null;
  }

  getCluster(name: string): KubeClusterEntry | null {
    const entry = this.clusters.get(name);
    if (!entry) return null;
    const b = entry.body;
    const server = str(b['server']);
    if (!server) return null;
    return {
      name,
      server,
      ...(str(b['certificate-authority-data']) ? { caData: str(b['certificate-authority-data'])! } : {}),
      ...(str(b['certificate-authority']) ? { caFile: str(b['certificate-authority'])! } : {}),
      skipTLSVerify: b['insecure-skip-tls-verify'] === true,
      ...(str(b['tls-server-name']) ? { tlsServerName: str(b['tls-server-name'])! } : {}),
    };
  }

  getCurrentCluster(): KubeClusterEntry | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getCluster(ctx.cluster) : null;
  }

  getCurrentUser(): { name: string } | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx && this.users.has(ctx.user) ? { name: ctx.user } : null;
  }

  /** The keys of the current user this reader does not handle; non-empty means client-node does the auth. */
  unsupportedUserKeys(): string[] {
    const user = this.currentUserBody();
    return user ? Object.keys(user).filter((k) => !USER_KEYS.has(k)) : [];
  }

  private currentUserBody(): Raw | undefined {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.users.get(ctx.user)?.body : undefined;
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    if (this.unsupportedUserKeys().length) {
      await (await this.clientNode()).applyToHTTPSOptions(opts);
      return;
    }
    const cluster = this.getCurrentCluster();
    const user = this.currentUserBody();
    // As client-node: without a user, no TLS or auth options at all.
    if (!cluster || !user) return;
    if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = fileOrData(cluster.caFile, cluster.caData, 'certificate-authority');
    if (ca) opts.ca = ca;
    const cert = fileOrData(str(user['client-certificate']), str(user['client-certificate-data']), 'client-certificate');
    if (cert) opts.cert = cert;
    const key = fileOrData(str(user['client-key']), str(user['client-key-data']), 'client-key');
    if (key) opts.key = key;
    const headers = (opts.headers ??= {}) as Record<string, string>;
    if (str(user['as'])) headers['Impersonate-User'] = str(user['as'])!;

    const exec = parseExec(user['exec'], this.currentUserName());
    if (exec) {
      const cred = await this.runExec(exec);
      this.issued.set(opts, cred);
      if (cred.cert) opts.cert = cred.cert;
      if (cred.key) opts.key = cred.key;
      if (cred.token) headers['Authorization'] = `Bearer ${cred.token}`;
      return;
    }
    const tokenFile = str(user['tokenFile']);
    // Read at every request: a projected token file is rotated in place.
    const token = str(user['token']) ?? (tokenFile ? readNamedFile(tokenFile, 'tokenFile').trim() : undefined);
    if (token) headers['Authorization'] = `Bearer ${token}`;
    else if (str(user['username']) !== undefined || str(user['password']) !== undefined) {
      headers['Authorization'] = `Basic ${Buffer.from(`${str(user['username']) ?? ''}:${str(user['password']) ?? ''}`).toString('base64')}`;
    }
  }

  /**
   * A plugin's credential is kept until it expires, or for good when the plugin gave no expiry;
   * a 401 to it means it was revoked or expired early, so it is dropped and the plugin runs
   * again, once for all the requests it refused. A token file is read at every request anyway:
   * a retry sends whatever it holds now (rotated in place).
   */
  credentialsRejected(issued: https.RequestOptions): boolean {
    const cred = this.issued.get(issued);
    if (cred) {
      cred.rejected = true;
      return true;
    }
    const user = this.currentUserBody();
    return !!user && str(user['token']) === undefined && str(user['tokenFile']) !== undefined;
  }

  private currentUserName(): string {
    return this.getContextObject(this.currentContext)?.user ?? '';
  }

  /** Runs the plugin once per expiry; concurrent requests share one run. */
  private runExec(exec: ExecConfig): Promise<ExecResult> {
    const key = JSON.stringify(exec);
    const cached = this.execCache.get(key);
    if (cached) {
      return cached.then((r) => {
        if (!r.rejected && (r.expiresAt === undefined || r.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return r;
        if (this.execCache.get(key) === cached) this.execCache.delete(key);
        return this.runExec(exec);
      });
    }
    const run = runExecPlugin(exec);
    this.execCache.set(key, run);
    // A failed run is not cached: the next request tries again.
    run.catch(() => this.execCache.get(key) === run && this.execCache.delete(key));
    return run;
  }

  /** The same merged entries, as client-node's KubeConfig, for auth this reader does not do. */
  private clientNode(): Promise<KubeAccessConfig> {
    this.fallback ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromString(this.toYaml());
      kc.setCurrentContext(this.currentContext);
      return kc;
    })();
    return this.fallback;
  }

  /** The merged kubeconfig (paths absolute), as one document. */
  toYaml(): string {
    const list = (m: Map<string, NamedEntry>, field: string) => [...m.values()].map((e) => ({ name: e.name, [field]: e.body }));
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: list(this.clusters, 'cluster'),
      users: list(this.users, 'user'),
      contexts: list(this.contexts, 'context'),
      'current-context': this.currentContext,
    });
  }
}

function fileOrData(file: string | undefined, data: string | undefined, what: string): Buffer | undefined {
  if (file) return Buffer.from(readNamedFile(file, what));
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

/** The files to read: the named one, else KUBECONFIG's list, else ~/.kube/config if present. */
export function kubeconfigFiles(opts: ConnectOptions, env: NodeJS.ProcessEnv = process.env, home = env['HOME'] || homedir()): string[] {
  if (opts.kubeconfig) return [opts.kubeconfig];
  const list = env['KUBECONFIG'];
  if (list) return list.split(delimiter).filter((f) => f !== '');
  const def = join(home, '.kube', 'config');
  return existsSync(def) ? [def] : [];
}

function resolvePaths(body: Raw, keys: string[], dir: string): Raw {
  const out = { ...body };
  for (const k of keys) {
    const v = str(out[k]);
    if (v && !isAbsolute(v)) out[k] = join(dir, v);
  }
  // kubectl resolves a plugin command given as a relative path (one with a separator) against the kubeconfig's directory.
  if (isObject(out['exec'])) {
    const cmd = str(out['exec']['command']);
    if (cmd && !isAbsolute(cmd) && cmd.includes('/')) out['exec'] = { ...out['exec'], command: join(dir, cmd) };
  }
  return out;
}

function readEntries(doc: Raw, field: 'clusters' | 'users' | 'contexts', file: string): { name: string; body: Raw }[] {
  const list = doc[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${file}: ${field} must be a list`);
  const inner = field.slice(0, -1);
  return list.map((item, i) => {
    const name = isObject(item) ? str(item['name']) : undefined;
    if (!isObject(item) || !name) throw new Error(`${file}: ${field}[${i}] has no name`);
    const body = item[inner];
    if (body !== undefined && body !== null && !isObject(body)) throw new Error(`${file}: ${field}[${i}].${inner} must be a mapping`);
    return { name, body: (body as Raw | undefined) ?? {} };
  });
}

/** The in-cluster service account, or client-node's last resort (http://localhost:8080 without credentials). */
function defaultConfig(env: NodeJS.ProcessEnv): LiteKubeConfig {
  const tokenFile = join(SERVICEACCOUNT_DIR, 'token');
  const host = env['KUBERNETES_SERVICE_HOST'];
  if (existsSync(tokenFile) && host) {
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${env['KUBERNETES_SERVICE_PORT'] ?? '443'}`;
    const nsFile = join(SERVICEACCOUNT_DIR, 'namespace');
    const namespace = existsSync(nsFile) ? readNamedFile(nsFile, 'namespace file').trim() : undefined;
    return new LiteKubeConfig(
      new Map([['inCluster', { name: 'inCluster', body: { server, 'certificate-authority': join(SERVICEACCOUNT_DIR, 'ca.crt') } }]]),
      new Map([['inClusterUser', { name: 'inClusterUser', body: { tokenFile } }]]),
      new Map([['inClusterContext', { name: 'inClusterContext', body: { cluster: 'inCluster', user: 'inClusterUser', ...(namespace ? { namespace } : {}) } }]]),
      'inClusterContext',
      'the in-cluster service account',
    );
  }
  return new LiteKubeConfig(
    new Map([['cluster', { name: 'cluster', body: { server: 'http://localhost:8080' } }]]),
    new Map([['user', { name: 'user', body: {} }]]),
    new Map([['loaded-context', { name: 'loaded-context', body: { cluster: 'cluster', user: 'user' } }]]),
    'loaded-context',
    'no kubeconfig (http://localhost:8080)',
  );
}

/**
 * Reads and merges the kubeconfig files. Throws a plain Error naming the file on unreadable or
 * malformed input; the caller words it for the user.
 */
export function readLiteKubeConfig(opts: ConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): LiteKubeConfig {
  const files = kubeconfigFiles(opts, env);
  if (!files.length) return defaultConfig(env);
  const clusters = new Map<string, NamedEntry>();
  const users = new Map<string, NamedEntry>();
  const contexts = new Map<string, NamedEntry>();
  let current = '';
  let read = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readInputFileSync(file, { what: 'kubeconfig', maxBytes: MAX_KUBECONFIG_BYTES });
    } catch (err) {
      // kubectl skips missing files of a KUBECONFIG list; a file named on its own must exist.
      if (err instanceof InputFileError && err.problem === 'missing' && files.length > 1 && !opts.kubeconfig) continue;
      // Which file of a KUBECONFIG list; a named file is named by the caller's message.
      if (err instanceof InputFileError && files.length > 1) throw new Error(`${file}: ${err.message}`);
      throw err;
    }
    read++;
    const doc: unknown = parse(text);
    if (doc === null || doc === undefined) continue;
    if (!isObject(doc)) throw new Error(`${file}: not a kubeconfig (expected a mapping with clusters, users and contexts)`);
    const dir = dirname(file);
    for (const c of readEntries(doc, 'clusters', file)) if (!clusters.has(c.name)) clusters.set(c.name, { name: c.name, body: resolvePaths(c.body, CLUSTER_PATH_KEYS, dir) });
    for (const u of readEntries(doc, 'users', file)) if (!users.has(u.name)) users.set(u.name, { name: u.name, body: resolvePaths(u.body, USER_PATH_KEYS, dir) });
    for (const c of readEntries(doc, 'contexts', file)) if (!contexts.has(c.name)) contexts.set(c.name, { name: c.name, body: c.body });
    if (!current) current = str(doc['current-context']) ?? '';
  }
  if (!read) throw new Error(`none of the files in KUBECONFIG exist (${files.join(delimiter)})`);
  return new LiteKubeConfig(clusters, users, contexts, current, files.join(delimiter));
}

/**
 * The kubeconfig for connect(): loadKubeConfig's checks and messages, without client-node.
 */
export function loadKubeAccess(opts: ConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): LiteKubeConfig {
  let kc: LiteKubeConfig;
  try {
    kc = readLiteKubeConfig(opts, env);
  } catch (err) {
    throw unreadableKubeconfig(opts, err, env);
  }
  return selectContext(kc, opts.context);
}
