/**
 * VNC sessions: `vnc.open` lands here. A session joins the node's screen (a KubeVirt VNC
 * subresource or a pod's VNC port through port-forward, vnc-upstream.ts) to the pane's byte
 * stream, the same per-session stream terminals use (a loopback WebSocket behind a one-time token
 * in browser mode, a MessagePort in Electron: the StreamConnector). RFB bytes pass through
 * untouched; noVNC in the pane speaks RFB end to end with the VNC server.
 *
 * The stream's protocol is the terminal's (protocol.ts): binary frames carry bytes, the pane
 * acknowledges what it has handed to noVNC, and main reads the cluster only while fewer than
 * `window` bytes are unacknowledged, so a fast screen cannot flood the page or main. A `resize`
 * from the pane is ignored: the remote screen's size is the server's business.
 */
import { randomBytes } from 'node:crypto';
import { clusterFor } from '../kube/http-cluster';
import { TerminalBridge, type BridgeStats } from './bridge';
import { loadKubeConfig, offerStream, type ActivityHook, type KubeConfigSource, type KubeWhere, type StreamConnect, type StreamConnector } from './connector';
import { findVncRoute } from './vnc-target';
import { VncUpstream, type VncRoute } from './vnc-upstream';

export interface VncOpenRequest extends KubeWhere {
  namespace: string;
  /** A lab node: a VM (by label) or the pod of a desktop node. */
  node: string;
}

export interface VncOpened {
  sessionId: string;
  namespace: string;
  node: string;
  /** How the screen is reached: KubeVirt's VNC subresource, or port-forward to a pod's port. */
  via: 'vm' | 'pod';
  /** The VirtualMachineInstance or the pod. */
  name: string;
  /** The pod's VNC port; null for a VM. */
  port: number | null;
  window: number;
  connect: StreamConnect;
}

export interface VncSessionInfo {
  id: string;
  route: VncRoute;
  stats: BridgeStats;
}

export interface VncService {
  open(request: VncOpenRequest): Promise<VncOpened>;
  sessions(): VncSessionInfo[];
  close(sessionId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export interface VncServiceOptions {
  connector: StreamConnector;
  kubeConfig?: KubeConfigSource;
  window?: number;
  attachTimeoutMs?: number;
  /** Told when a screen opens and whenever its viewer sends input. */
  onActivity?: ActivityHook;
}

/**
 * Whether a chunk from the viewer is the person's input: an RFB key, pointer or clipboard
 * message (types 4, 5, 6). noVNC asks for screen updates all the time by itself; those are
 * not someone using the lab.
 */
export const isViewerInput = (chunk: Uint8Array) => chunk.length > 0 && (chunk[0] === 4 || chunk[0] === 5 || chunk[0] === 6);

/** Screen updates come in large rectangles; a bigger window than a terminal's keeps them flowing. */
export const VNC_WINDOW = 1024 * 1024;

interface Live {
  id: string;
  route: VncRoute;
  upstream: VncUpstream;
  bridge: TerminalBridge;
  closed: boolean;
}

export function createVncService(options: VncServiceOptions): VncService {
  const window = options.window ?? VNC_WINDOW;
  const live = new Map<string, Live>();

  const loadConfig = (where: KubeWhere) => loadKubeConfig(options.kubeConfig, where);

  const end = (s: Live) => {
    if (s.closed) return;
    s.closed = true;
    options.connector.withdraw(s.id);
    s.bridge.detach();
    s.upstream.close();
    live.delete(s.id);
  };

  return {
    async open(request) {
      const kc = await loadConfig(request);
      const cluster = clusterFor(kc);
      let route: VncRoute;
      try {
        route = await findVncRoute(cluster, request.namespace, request.node);
      } finally {
        cluster.close();
      }
      const upstream = await VncUpstream.open(kc, route);
      const use = { namespace: route.namespace, context: request.context, kubeconfig: request.kubeconfig };
      options.onActivity?.(use);
      const id = randomBytes(16).toString('base64url');
      const s: Live = {
        id,
        route,
        upstream,
        closed: false,
        bridge: new TerminalBridge(
          window,
          {
            write: (d) => {
              if (isViewerInput(d)) options.onActivity?.(use);
              upstream.write(d);
            },
            resize: () => {}, pause: () => upstream.pause(), resume: () => upstream.resume() },
          () => end(s),
        ),
      };
      // The server speaks first (its RFB version); the bridge holds it until the pane attaches.
      upstream.onData = (chunk) => s.bridge.output(chunk);
      upstream.onEnd = (e) => s.bridge.control({ type: 'exit', reason: e.reason, code: null, message: e.message });
      live.set(id, s);

      const connect = await offerStream({ connector: options.connector, sessionId: id, bridge: s.bridge, end: () => end(s), attachTimeoutMs: options.attachTimeoutMs, what: 'the VNC pane' });
      return {
        sessionId: id,
        namespace: route.namespace,
        node: request.node,
        via: route.kind,
        name: route.name,
        port: route.kind === 'pod' ? route.port : null,
        window,
        connect,
      };
    },

    sessions() {
      return [...live.values()].map((s) => ({ id: s.id, route: s.route, stats: s.bridge.stats() }));
    },

    async close(sessionId) {
      const s = live.get(sessionId);
      if (s) end(s);
    },

    async closeAll() {
      for (const s of [...live.values()]) end(s);
    },
  };
}
