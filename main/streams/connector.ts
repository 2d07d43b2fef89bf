/**
 * What terminal and VNC sessions share on their way to a pane: the StreamConnector that carries a
 * session's stream (a loopback WebSocket in browser mode, a MessagePort in Electron), offering a
 * session's bridge to it with an attach deadline, and loading the kubeconfig a session runs with.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig as loadKubeConfigFile } from '../kube/kubeconfig';
import type { StreamEndpoint, TerminalBridge } from './bridge';
import { TerminalError } from './errors';

/** How the renderer reaches a session's stream. */
export type StreamConnect =
  /** Browser mode: open a WebSocket to `path` on the UI server with these subprotocols (the second carries the one-time token). */
  | { kind: 'websocket'; path: string; protocols: string[] }
  /** Electron: the port arrives on the stream-port channel, tagged with the session id. */
  | { kind: 'port' };

export interface StreamConnector {
  /**
   * Makes a stream for a session. `attach` is called once the pane is connected (at once for a
   * MessagePort, on the WebSocket upgrade in browser mode).
   */
  offer(sessionId: string, attach: (endpoint: StreamEndpoint) => void): StreamConnect;
  /** Forgets an offer the pane never took. */
  withdraw(sessionId: string): void;
}

export interface OfferOptions {
  connector: StreamConnector;
  sessionId: string;
  bridge: TerminalBridge;
  /** Ends the session: on a missed deadline and when the offer fails. */
  end: () => void | Promise<void>;
  attachTimeoutMs: number | undefined;
  /** Names the session in the error when the connector cannot make a stream ("the terminal"). */
  what: string;
}

/**
 * Offers a live session's bridge to the pane. A pane that never connects (closed tab, crashed
 * renderer) would otherwise leave the exec or VNC connection open forever, so the session ends
 * unless the pane attaches within the deadline; a connector that fails ends it at once.
 */
export async function offerStream(o: OfferOptions): Promise<StreamConnect> {
  const timer = setTimeout(() => void o.end(), o.attachTimeoutMs ?? 30_000);
  timer.unref?.();
  try {
    // A MessagePort connector attaches at once, inside offer().
    return o.connector.offer(o.sessionId, (endpoint) => {
      clearTimeout(timer);
      o.bridge.attach(endpoint);
    });
  } catch (err) {
    clearTimeout(timer);
    await o.end();
    throw new TerminalError('internal', `cannot open a stream for ${o.what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** KUBECONFIG or ~/.kube/config (what the CLI reads), switched to `context` when given: main/kube's one loader. */
export function defaultKubeConfig(context: string | undefined): KubeConfig {
  return loadKubeConfigFile(context ? { context } : {});
}

export type KubeConfigSource = (context: string | undefined) => KubeConfig | Promise<KubeConfig>;

/**
 * Where a session's cluster is: a context of the configured kubeconfig, or (for a student of a
 * zoned class) a zone's own kubeconfig file and context.
 */
/**
 * Someone is using a lab through a session (opened it, typed, moved the mouse): what the idle
 * timer of class time counts (engine/suspend.ts ActivityRecorder). Called often; must not block.
 */
export type ActivityHook = (use: { namespace: string } & KubeWhere) => void;

export interface KubeWhere {
  context?: string | undefined;
  /** A kubeconfig file other than the configured one; `context` is then one of its contexts. */
  kubeconfig?: string | undefined;
}

/** The kubeconfig for a session; a broken one is the caller's request at fault, not ours. */
export async function loadKubeConfig(source: KubeConfigSource | undefined, where: KubeWhere): Promise<KubeConfig> {
  const { context, kubeconfig } = where;
  try {
    // A zone's file is read as the zone record names it; the source stands for the configured kubeconfig only.
    if (kubeconfig) return loadKubeConfigFile({ kubeconfig, ...(context ? { context } : {}) });
    return await (source ?? defaultKubeConfig)(context);
  } catch (err) {
    throw new TerminalError('invalid_request', `cannot use the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''}${context ? ` context "${context}"` : ''}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
