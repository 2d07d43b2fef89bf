/**
 * Assembles the API for a host (Electron or browser mode): the path policy, the handlers and
 * the dispatcher. Both transports call the `dispatch` this returns.
 */
import type { Dialogs, FileSystem } from './deps';
import { createDispatcher, type Dispatch } from './dispatch';
import { nodeFileSystem } from './fs';
import { createHandlers } from './handlers';
import type { CompilePreview } from './handlers/compile';
import { createPathPolicy, type PathPolicy } from './paths';
import type { SettingsStore } from './settings';
import { createClusterProvider, type ClusterProvider } from './clusters';
import { createLiveViews, type LiveViews } from './live-views';
import { createKubeAccess, type KubeAccess } from '../kube/contexts';
import { TEMPLATES_DIR } from '../paths';
import { ActivityRecorder, recordActivity } from '../engine/suspend';
import type { ActivityHook } from '../streams/connector';
import { createTerminalService, createVncService, type StreamConnector, type TerminalService, type VncService } from '../streams';

export interface HostOptions {
  mode: 'electron' | 'browser';
  version: string;
  /** Read/write folder; null in Electron until the user picks files through dialogs. */
  workspace: string | null;
  examplesDir: string;
  /** Defaults to the installation's resources/templates. */
  templatesDir?: string;
  settings: SettingsStore;
  dialogs?: Dialogs;
  fs?: FileSystem;
  kube?: KubeAccess;
  compile?: CompilePreview;
  logError?: (channel: string, error: unknown) => void;
  /** Clusters by kubeconfig context; default: from the kubeconfig, the settings' context first. */
  clusters?: ClusterProvider;
  /** Carries terminal streams to the renderer; without one, the terminal channels are unsupported. */
  streams?: StreamConnector;
}

export interface Host {
  dispatch: Dispatch;
  paths: PathPolicy;
  /** Live terminal sessions (closed when the host shuts down); null without `streams`. */
  terminals: TerminalService | null;
  /** Live VNC sessions; null without `streams`. */
  vnc: VncService | null;
  /** The clusters and live watches the class story uses; close them when the host shuts down. */
  clusters: ClusterProvider;
  live: LiveViews;
}

export function createHost(options: HostOptions): Host {
  const roots = [{ dir: options.examplesDir, writable: false }];
  if (options.workspace) roots.unshift({ dir: options.workspace, writable: true });
  const paths = createPathPolicy(roots, options.workspace);
  const clusters = options.clusters ?? createClusterProvider(options.settings);
  const onActivity = activityHook(clusters);
  const terminals = options.streams ? createTerminalService({ connector: options.streams, onActivity }) : null;
  const vnc = options.streams ? createVncService({ connector: options.streams, onActivity }) : null;
  const live = createLiveViews();
  const handlers = createHandlers({
    mode: options.mode,
    version: options.version,
    workspace: options.workspace,
    examplesDir: options.examplesDir,
    templatesDir: options.templatesDir ?? TEMPLATES_DIR,
    paths,
    settings: options.settings,
    fs: options.fs ?? nodeFileSystem,
    kube: options.kube ?? createKubeAccess(),
    clusters,
    live,
    ...(options.dialogs ? { dialogs: options.dialogs } : {}),
    ...(options.compile ? { compile: options.compile } : {}),
    ...(terminals ? { terminals } : {}),
    ...(vnc ? { vnc } : {}),
  });
  return { dispatch: createDispatcher(handlers, options.logError ? { logError: options.logError } : {}), paths, terminals, vnc, clusters, live };
}

/**
 * Stamps the labs used through the app's panes as used (the idle timer of class time), through
 * the same cluster connections as everything else, once a minute per namespace at most. A
 * session opened with another kubeconfig file is not stamped: the app holds no connection to it.
 */
function activityHook(clusters: ClusterProvider): ActivityHook {
  const recorders = new Map<string, ActivityRecorder>();
  return ({ namespace, context, kubeconfig }) => {
    if (kubeconfig) return;
    const key = context ?? '';
    let r = recorders.get(key);
    if (!r) recorders.set(key, (r = new ActivityRecorder(async (ns, at) => recordActivity(await clusters.get(context ?? null), ns, at))));
    r.touch(namespace);
  };
}
