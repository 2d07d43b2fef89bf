/**
 * Terminal sessions: the `terminal.open` and `terminal.containers` calls land here. A session
 * is an exec into a container plus a stream to its pane; the transport that carries the stream
 * (a loopback WebSocket in browser mode, a MessagePort in Electron) is a StreamConnector, so
 * nothing here knows which host runs it.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterFor } from '../kube/http-cluster';
import { TerminalBridge, type BridgeStats } from './bridge';
import { loadKubeConfig, offerStream, type ActivityHook, type KubeConfigSource, type KubeWhere, type StreamConnect, type StreamConnector } from './connector';
import { ExecSession, type ExecTarget } from './exec-session';
import { checkExecutable, findExecPod, findPod, podContainers, type PodContainers, type TargetRef } from './target';

export interface OpenRequest extends TargetRef, KubeWhere {
  container?: string | undefined;
  cols: number;
  rows: number;
}

export interface OpenedSession {
  sessionId: string;
  namespace: string;
  pod: string;
  container: string;
  containers: string[];
  /** Output bytes the pane may hold unacknowledged (protocol.ts). */
  window: number;
  connect: StreamConnect;
}

export interface TerminalServiceOptions {
  connector: StreamConnector;
  /** The kubeconfig for a context (undefined: the configured default); defaultKubeConfig unless given. */
  kubeConfig?: KubeConfigSource;
  window?: number;
  /** A session whose pane does not connect within this time is closed. */
  attachTimeoutMs?: number;
  hangupGraceMs?: number;
  /** Told when a session opens and whenever keys are typed in it. */
  onActivity?: ActivityHook;
}

export interface SessionInfo {
  id: string;
  target: ExecTarget;
  /** The shell's PID in the container, once known. */
  pid: number | null;
  stats: BridgeStats;
}

export interface TerminalService {
  open(request: OpenRequest): Promise<OpenedSession>;
  containers(request: TargetRef & KubeWhere): Promise<PodContainers>;
  /** Live sessions (for tests, the benchmark and shutdown). */
  sessions(): SessionInfo[];
  close(sessionId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export const DEFAULT_WINDOW = 256 * 1024;

interface Live {
  id: string;
  target: ExecTarget;
  exec: ExecSession | null;
  bridge: TerminalBridge;
  closed: Promise<void> | null;
}

export function createTerminalService(options: TerminalServiceOptions): TerminalService {
  const window = options.window ?? DEFAULT_WINDOW;
  const live = new Map<string, Live>();

  const loadConfig = (where: KubeWhere) => loadKubeConfig(options.kubeConfig, where);

  const end = (s: Live): Promise<void> => {
    s.closed ??= (async () => {
      options.connector.withdraw(s.id);
      s.bridge.detach();
      await s.exec?.close();
      live.delete(s.id);
    })();
    return s.closed;
  };

  /** The request's pod, looked up through main/kube like every other read of the cluster. */
  const podOf = async (request: TargetRef & KubeWhere, known?: KubeConfig, forExec = false) => {
    const cluster = clusterFor(known ?? (await loadConfig(request)));
    try {
      return await (forExec ? findExecPod : findPod)(cluster, request);
    } finally {
      cluster.close();
    }
  };

  return {
    async containers(request) {
      return podContainers(await podOf(request));
    },

    async open(request) {
      const kc = await loadConfig(request);
      const pod = await podOf(request, kc, true);
      const { containers, defaultContainer } = podContainers(pod);
      const container = request.container ?? defaultContainer;
      checkExecutable(pod, container);
      const target: ExecTarget = { namespace: request.namespace, pod: pod.metadata?.name ?? '', container };
      const use = { namespace: request.namespace, context: request.context, kubeconfig: request.kubeconfig };
      options.onActivity?.(use);

      const id = randomBytes(16).toString('base64url');
      // The bridge exists before the exec so no output is lost; it drives the exec once it does.
      let exec: ExecSession | null = null;
      const s: Live = {
        id,
        target,
        exec: null,
        closed: null,
        bridge: new TerminalBridge(
          window,
          {
            write: (d) => {
              options.onActivity?.(use);
              exec?.write(d);
            },
            resize: (c, r) => exec?.resize(c, r),
            pause: () => exec?.pause(),
            resume: () => exec?.resume(),
          },
          () => void end(s),
        ),
      };
      exec = await ExecSession.start({
        kc,
        target,
        cols: request.cols,
        rows: request.rows,
        hangupGraceMs: options.hangupGraceMs ?? 2000,
        onData: (chunk) => s.bridge.output(chunk),
        onExit: (exit) => s.bridge.control({ type: 'exit', reason: exit.kind, code: exit.code, message: exit.message }),
      });
      s.exec = exec;
      // Output that came before `exec` was assigned may already have filled the window.
      if (s.bridge.stats().paused) exec.pause();
      live.set(id, s);

      const connect = await offerStream({ connector: options.connector, sessionId: id, bridge: s.bridge, end: () => end(s), attachTimeoutMs: options.attachTimeoutMs, what: 'the terminal' });
      return { sessionId: id, namespace: target.namespace, pod: target.pod, container, containers: containers.map((c) => c.name), window, connect };
    },

    sessions() {
      return [...live.values()].map((s) => ({ id: s.id, target: s.target, pid: s.exec?.identity?.pid ?? null, stats: s.bridge.stats() }));
    },

    async close(sessionId) {
      const s = live.get(sessionId);
      if (s) await end(s);
    },

    async closeAll() {
      await Promise.all([...live.values()].map(end));
    },
  };
}
