/**
 * `labforge ui`: the renderer in any browser, backed by the same handlers as Electron's IPC.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appRoot, appVersion, examplesDir as defaultExamplesDir, rendererDir as defaultRendererDir } from '../paths';
import { createHost } from '../api/host';
import { createJsonSettings } from '../api/settings';
import type { KubeAccess } from '../kube/contexts';
import { startUiServer, type UiServer } from './server';
import { createWsStreamHub, type TerminalService, type VncService } from '../streams';

export interface StartUiOptions {
  workspace: string;
  port?: number;
  rendererDir?: string;
  examplesDir?: string;
  settingsFile?: string;
  kube?: KubeAccess;
  logError?: (channel: string, error: unknown) => void;
}

export async function startUi(options: StartUiOptions): Promise<UiServer & { workspace: string; terminals: TerminalService | null; vnc: VncService | null }> {
  const workspace = resolve(options.workspace);
  const streams = createWsStreamHub();
  const host = createHost({
    mode: 'browser',
    version: appVersion(),
    workspace,
    examplesDir: options.examplesDir ?? defaultExamplesDir(),
    settings: options.settingsFile ? createJsonSettings(options.settingsFile) : createJsonSettings(join(workspace, '.labforge', 'settings.json'), workspace),
    ...(options.kube ? { kube: options.kube } : {}),
    ...(options.logError ? { logError: options.logError } : {}),
    streams,
  });
  const server = await startUiServer({ dispatch: host.dispatch, rendererDir: options.rendererDir ?? defaultRendererDir(), streams, ...(options.port !== undefined ? { port: options.port } : {}) });
  return {
    ...server,
    workspace,
    terminals: host.terminals,
    vnc: host.vnc,
    async close() {
      // Hang up every shell before the streams and the server go.
      await host.terminals?.closeAll();
      await host.vnc?.closeAll();
      streams.close();
      await server.close();
      // Live watches hold API server connections open; the keep-alive pools would keep sockets too.
      host.live.stopAll();
      host.clusters.close();
    },
  };
}

/** Builds the renderer when running from a source checkout without out/renderer. */
export function ensureRendererBuilt(log: (line: string) => void): { ok: true } | { ok: false; message: string } {
  const dir = defaultRendererDir();
  if (existsSync(join(dir, 'index.html'))) return { ok: true };
  const root = appRoot();
  const config = join(root, 'renderer', 'vite.config.ts');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(config) || !existsSync(vite)) return { ok: false, message: 'the renderer is not built: run `npm run build:renderer` first' };
  log('building the renderer (first run)...\n');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(dir, 'index.html'))) return { ok: false, message: 'building the renderer failed: run `npm run build:renderer` to see why' };
  return { ok: true };
}

/** Opens our own URL in the default browser; never called with anything the renderer sent. */
export function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser launcher: the URL is printed anyway.
  }
}
