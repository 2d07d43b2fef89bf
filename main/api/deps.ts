import type { PathPolicy } from './paths';
import type { SettingsStore } from './settings';
import type { KubeAccess } from '../kube/contexts';
import type { ClusterProvider } from './clusters';
import type { LiveViews } from './live-views';
import type { TerminalService, VncService } from '../streams';

/** Native dialogs, provided by the Electron host only. */
export interface Dialogs {
  /** The picked file path, or null when cancelled. */
  open(): Promise<string | null>;
  save(defaultName: string | undefined, defaultDir: string | null): Promise<string | null>;
}

export interface FileSystem {
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  listDir(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]>;
}

/** Everything the handlers touch, injected so tests use temp dirs and fakes. */
export interface ApiDeps {
  mode: 'electron' | 'browser';
  version: string;
  workspace: string | null;
  examplesDir: string;
  /** The built-in templates (resources/templates). */
  templatesDir: string;
  paths: PathPolicy;
  settings: SettingsStore;
  fs: FileSystem;
  kube: KubeAccess;
  /** Clusters by context and the shared live watches: deploy, releases, publish, the class view. */
  clusters: ClusterProvider;
  live: LiveViews;
  /** Terminal sessions; absent where the host has no stream transport. */
  terminals?: TerminalService;
  /** VNC sessions; absent where the host has no stream transport. */
  vnc?: VncService;
  dialogs?: Dialogs;
}
