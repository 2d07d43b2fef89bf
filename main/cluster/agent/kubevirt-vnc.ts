// A stand-in for KubeVirt's VNC subresource, the way kwok stands in for kubelets.
//
// The local cluster has no virt-api and no VMs, but the app's VM console must be tested through
// the path a real cluster uses: the client asks the kube-apiserver for
// `/apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}/vnc`, the
// apiserver authenticates and authorizes it, and its aggregation layer proxies it (WebSocket
// upgrade included) to the server registered for `v1.subresources.kubevirt.io`. This is that
// server, run inside the cluster agent. It behaves as an aggregated API server must:
//
// - It trusts only the front proxy: the caller's client certificate must verify against the
//   request-header CA and carry one of the allowed names, both read from
//   `kube-system/extension-apiserver-authentication` (what the apiserver publishes from its
//   `--requestheader-*` flags). Anyone else, including holders of other certificates from the
//   same CA, is refused, and their X-Remote-* headers are never read.
// - It authorizes the end user itself with a SubjectAccessReview built from the X-Remote-User,
//   X-Remote-Group and X-Remote-Extra-* headers, as virt-api does.
// - It serves discovery for the group and version.
//
// What it simulates, and how (docs/cluster.md): a VirtualMachineInstance is taken to exist and
// run when the VirtualMachine of that name exists (there is no KubeVirt controller to make
// VMIs); its "display" is the local VNC server that pod port 5900 forwards to (`cluster up
// --vnc`), dialled directly as virt-handler dials the VM's VNC socket. One session per VM, as
// KubeVirt allows: a new connection takes over the screen, unless it asks `preserveSession=true`
// while a session is open, which is refused with 503 "Active VNC connection. Request denied."
// (KubeVirt's own answer, pkg/virt-handler/rest/console.go). Bytes travel as binary WebSocket
// messages under the subprotocol `plain.kubevirt.io`.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { KubeObject } from '../../../common/compile/types';
import { kindOf, type Cluster } from '../../kube/cluster';

const KUBEVIRT_SUBRESOURCE_GROUP = 'subresources.kubevirt.io';
const KUBEVIRT_SUBRESOURCE_VERSION = 'v1';
export const PLAIN_KUBEVIRT_PROTOCOL = 'plain.kubevirt.io';
/** KubeVirt's answer when preserveSession=true meets an open session. */
const VNC_IN_USE_MESSAGE = 'Active VNC connection. Request denied.';

const CONFIGMAP = kindOf<{ data?: Record<string, string> }>('v1', 'ConfigMap');
const VIRTUAL_MACHINE = kindOf<KubeObject>('kubevirt.io/v1', 'VirtualMachine');
const VNC_PATH = /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/virtualmachineinstances\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)\/vnc$/;
/** Stop reading the VNC server while this much is queued towards the client. */
const HIGH_WATER = 1024 * 1024;

/** How the apiserver's front proxy identifies itself and the user (extension-apiserver-authentication). */
export interface FrontProxyTrust {
  /** PEM bundle that must have signed the proxy's client certificate. */
  ca: string;
  /** Common names the proxy's certificate may carry; empty means any certificate from `ca`. */
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface RemoteUser {
  name: string;
  groups: string[];
  extra: Record<string, string[]>;
}

function jsonList(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** Reads the trust settings the apiserver publishes for aggregated servers. */
export function frontProxyTrust(data: Record<string, string> | undefined): FrontProxyTrust {
  const ca = data?.['requestheader-client-ca-file'];
  if (!ca) throw new Error('kube-system/extension-apiserver-authentication has no requestheader-client-ca-file: is the apiserver running with --requestheader-client-ca-file?');
  return {
    ca,
    allowedNames: jsonList(data['requestheader-allowed-names']),
    usernameHeaders: jsonList(data['requestheader-username-headers']),
    groupHeaders: jsonList(data['requestheader-group-headers']),
    extraHeaderPrefixes: jsonList(data['requestheader-extra-headers-prefix']),
  };
}

/**
 * The user the front proxy vouches for, or why the caller is not the front proxy. `peer` is the
 * TLS socket's verdict: whether its certificate verified against the request-header CA, and the
 * certificate's common name.
 */
export function authenticate(peer: { authorized: boolean; commonName: string | undefined }, headers: Record<string, string[] | undefined>, trust: FrontProxyTrust): RemoteUser | { refused: string } {
  if (!peer.commonName) return { refused: 'no client certificate: only the API server\'s front proxy may call this server' };
  if (!peer.authorized) return { refused: `client certificate "${peer.commonName}" is not signed by the request-header CA` };
  if (trust.allowedNames.length > 0 && !trust.allowedNames.includes(peer.commonName)) {
    return { refused: `client certificate "${peer.commonName}" is not an allowed front proxy (allowed: ${trust.allowedNames.join(', ')})` };
  }
  const name = trust.usernameHeaders.map((h) => headers[h.toLowerCase()]?.[0]).find((v) => v !== undefined && v !== '');
  if (!name) return { refused: 'the front proxy sent no user' };
  // Each group arrives as its own header line (a group name may contain a comma).
  const groups = trust.groupHeaders.flatMap((h) => headers[h.toLowerCase()] ?? []);
  const extra: Record<string, string[]> = {};
  for (const prefix of trust.extraHeaderPrefixes) {
    const p = prefix.toLowerCase();
    for (const [h, values] of Object.entries(headers)) {
      if (!values || !h.startsWith(p) || h.length === p.length) continue;
      // Keys are percent-encoded by the proxy (k8s.io/apiserver's request-header convention).
      const key = decodeURIComponent(h.slice(p.length)).toLowerCase();
      (extra[key] ??= []).push(...values);
    }
  }
  return { name, groups, extra };
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

const REASONS: Record<number, [string, string]> = {
  400: ['Bad Request', 'BadRequest'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'Forbidden'],
  404: ['Not Found', 'NotFound'],
  500: ['Internal Server Error', 'InternalError'],
  502: ['Bad Gateway', 'InternalError'],
  503: ['Service Unavailable', 'ServiceUnavailable'],
};

function refuseUpgrade(socket: Duplex, code: number, message: string) {
  const [text, reason] = REASONS[code] ?? ['Error', 'Unknown'];
  const body = status(code, reason, message);
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Joins a WebSocket and a TCP connection; either side ending ends both. Each side is paused while the other cannot keep up. */
function spliceWebSocket(ws: WebSocket, tcp: net.Socket): void {
  let queued = 0;
  const end = () => {
    tcp.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
  };
  tcp.on('data', (chunk: Buffer) => {
    queued += chunk.length;
    if (queued > HIGH_WATER) tcp.pause();
    ws.send(chunk, { binary: true }, () => {
      queued -= chunk.length;
      if (queued <= HIGH_WATER / 2 && tcp.isPaused()) tcp.resume();
    });
  });
  ws.on('message', (data) => {
    if (!tcp.write(toBuffer(data))) {
      ws.pause();
      tcp.once('drain', () => ws.resume());
    }
  });
  tcp.on('close', end);
  tcp.on('error', end);
  ws.on('close', end);
  ws.on('error', end);
}

export interface KubevirtVncOptions {
  /** 127.0.0.1:<port> */
  port: number;
  /** Serving pair; its certificate must name `<service>.<namespace>.svc` (the aggregator checks it). */
  cert: string;
  key: string;
  /** The agent's own access: reads the trust ConfigMap and VirtualMachines, creates SubjectAccessReviews. */
  cluster: Cluster;
  /** The VNC server a VM's console shows. */
  vnc: { host: string; port: number };
  log: (line: string) => void;
}

export interface KubevirtVncServer {
  close(): Promise<void>;
  /** Live VNC sessions, by VM (namespace/name). */
  sessions(): string[];
}

async function allowed(cluster: Cluster, user: RemoteUser, namespace: string, name: string): Promise<{ ok: boolean; reason: string }> {
  const review = (await cluster.create({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: { name: '' },
    spec: {
      user: user.name,
      groups: user.groups,
      extra: user.extra,
      resourceAttributes: { namespace, verb: 'get', group: KUBEVIRT_SUBRESOURCE_GROUP, version: KUBEVIRT_SUBRESOURCE_VERSION, resource: 'virtualmachineinstances', subresource: 'vnc', name },
    },
  })) as KubeObject & { status?: { allowed?: boolean; reason?: string } };
  return { ok: review.status?.allowed === true, reason: review.status?.reason ?? '' };
}

function discovery(path: string): unknown {
  const groupVersion = `${KUBEVIRT_SUBRESOURCE_GROUP}/${KUBEVIRT_SUBRESOURCE_VERSION}`;
  const version = { groupVersion, version: KUBEVIRT_SUBRESOURCE_VERSION };
  const group = { name: KUBEVIRT_SUBRESOURCE_GROUP, versions: [version], preferredVersion: version };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
  if (path === `/apis/${KUBEVIRT_SUBRESOURCE_GROUP}`) return { kind: 'APIGroup', apiVersion: 'v1', ...group };
  if (path === `/apis/${groupVersion}`) {
    // Subresources only (names with a slash), as virt-api lists them: nothing here can be
    // listed or deleted, so the namespace controller and the garbage collector leave it alone.
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: [{ name: 'virtualmachineinstances/vnc', singularName: '', namespaced: true, kind: 'VirtualMachineInstance', verbs: ['get'] }],
    };
  }
  return undefined;
}

export async function startKubevirtVnc(opts: KubevirtVncOptions): Promise<KubevirtVncServer> {
  // The apiserver publishes this right after it starts; give a fresh one a moment.
  let trust: FrontProxyTrust | undefined;
  for (let attempt = 0; !trust; attempt++) {
    const cm = await opts.cluster.read(CONFIGMAP, 'extension-apiserver-authentication', 'kube-system').catch(() => undefined);
    try {
      trust = frontProxyTrust(cm?.data);
    } catch (err) {
      if (attempt >= 30) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const live = new Map<string, { uid: string; ws: WebSocket }>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PLAIN_KUBEVIRT_PROTOCOL) ? PLAIN_KUBEVIRT_PROTOCOL : false),
  });

  const identify = (req: IncomingMessage) => {
    const socket = req.socket as TLSSocket;
    const cert = socket.getPeerCertificate();
    const cn = cert && typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
    // headersDistinct keeps repeated lines apart (lower-case names, as authenticate() expects).
    return authenticate({ authorized: socket.authorized, commonName: cn }, req.headersDistinct, trust);
  };

  const server: Server = createServer({
    cert: opts.cert,
    key: opts.key,
    ca: trust.ca,
    // Verified by hand in identify(): /healthz stays open to the cluster's own probe.
    requestCert: true,
    rejectUnauthorized: false,
  });

  server.on('request', (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (code: number, body: string) => res.writeHead(code, { 'content-type': code === 200 && path === '/healthz' ? 'text/plain' : 'application/json' }).end(body);
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return send(200, 'ok');
    const who = identify(req);
    if ('refused' in who) return send(401, status(401, 'Unauthorized', who.refused));
    if (req.method !== 'GET') return send(405, status(405, 'MethodNotAllowed', `${req.method} is not supported`));
    const doc = discovery(path);
    if (doc !== undefined) return send(200, JSON.stringify(doc));
    if (VNC_PATH.test(path)) return send(400, status(400, 'BadRequest', 'the VNC subresource needs a WebSocket upgrade'));
    return send(404, status(404, 'NotFound', `the server could not find the requested resource (${path})`));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://stand-in');
      const m = VNC_PATH.exec(url.pathname);
      if (!m) return refuseUpgrade(socket, 404, `the server could not find the requested resource (${url.pathname})`);
      const who = identify(req);
      if ('refused' in who) return refuseUpgrade(socket, 401, who.refused);
      const namespace = m[1] as string;
      const name = m[3] as string;
      const verdict = await allowed(opts.cluster, who, namespace, name);
      if (!verdict.ok) {
        opts.log(`vnc ${namespace}/${name}: ${who.name} refused${verdict.reason ? ` (${verdict.reason})` : ''}`);
        return refuseUpgrade(socket, 403, `virtualmachineinstances.subresources.kubevirt.io "${name}" is forbidden: User "${who.name}" cannot get resource "virtualmachineinstances/vnc" in API group "${KUBEVIRT_SUBRESOURCE_GROUP}" in the namespace "${namespace}"`);
      }
      const vm = await opts.cluster.read(VIRTUAL_MACHINE, name, namespace);
      if (!vm?.metadata.uid) return refuseUpgrade(socket, 404, `virtualmachineinstance.kubevirt.io "${name}" not found`);
      const key = `${namespace}/${name}`;
      // KubeVirt parses the flag with strconv.ParseBool: "true", "1", "t", "TRUE", ...
      const preserve = /^(1|t|true)$/i.test(url.searchParams.get('preserveSession') ?? '');
      const current = live.get(key);
      if (current && current.uid === vm.metadata.uid && preserve) return refuseUpgrade(socket, 503, VNC_IN_USE_MESSAGE);

      // Dial first, as virt-api does, so an unreachable display is an HTTP error, not a dead socket.
      const tcp = net.connect(opts.vnc.port, opts.vnc.host);
      const dialed = await new Promise<Error | null>((resolve) => {
        tcp.once('connect', () => resolve(null));
        tcp.once('error', (err) => resolve(err));
      });
      if (dialed) return refuseUpgrade(socket, 500, `cannot reach the VM's display (the local VNC server at ${opts.vnc.host}:${opts.vnc.port}): ${dialed.message}`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const previous = live.get(key);
        // A newer connection takes the screen over; the older one is closed, as in KubeVirt.
        if (previous) previous.ws.close(1000, 'another VNC connection took over');
        live.set(key, { uid: vm.metadata.uid ?? '', ws });
        ws.on('close', () => {
          if (live.get(key)?.ws === ws) live.delete(key);
        });
        opts.log(`vnc ${key}: ${who.name} connected${previous ? ' (took over the previous session)' : ''}`);
        spliceWebSocket(ws, tcp);
      });
    })().catch((err: unknown) => {
      opts.log(`vnc upgrade failed: ${err instanceof Error ? err.message : String(err)}`);
      refuseUpgrade(socket, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  opts.log(`KubeVirt VNC stand-in serving ${KUBEVIRT_SUBRESOURCE_GROUP}/${KUBEVIRT_SUBRESOURCE_VERSION} on 127.0.0.1:${opts.port} (display ${opts.vnc.host}:${opts.vnc.port})`);

  return {
    sessions: () => [...live.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
