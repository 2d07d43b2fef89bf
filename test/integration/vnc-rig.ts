/**
 * What the VNC integration tests share: the real X display behind the cluster's forward rule
 * (vnc-display.ts), the stream hub the app uses, and a VncService on the test cluster's admin
 * kubeconfig, with one stop() for all three.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createVncService, type VncService } from '../../main/streams';
import { ROOT } from './helpers/engine';
import { loadTestKubeConfig, testClusterDir } from './helpers/kube';
import { startStreamServer } from './terminal-pane';
import { startDisplay, type Display } from './vnc-display';

export interface VncRig {
  display: Display;
  server: Awaited<ReturnType<typeof startStreamServer>>;
  /** Opens sessions as the cluster admin. */
  vnc: VncService;
  /** Ends the sessions, then the hub, then the display. */
  stop(): Promise<void>;
}

export async function startVncRig(): Promise<VncRig> {
  const logs = join(ROOT, 'test-results', 'vnc');
  await mkdir(logs, { recursive: true });
  const display = await startDisplay(testClusterDir(), logs);
  let server: VncRig['server'];
  try {
    server = await startStreamServer();
  } catch (err) {
    // The caller never gets the display to stop: Xvfb and x11vnc would outlive the run.
    await display.stop();
    throw err;
  }
  const kc = loadTestKubeConfig();
  const vnc = createVncService({ connector: server.hub, kubeConfig: () => kc });
  return {
    display,
    server,
    vnc,
    async stop() {
      await vnc.closeAll();
      await server.close();
      await display.stop();
    },
  };
}
