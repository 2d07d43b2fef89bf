// VNC to a desktop node through port-forward, on the real local control plane: the desktop
// example deployed to a dev namespace (a pod with port 5900 named vnc), the VncService and
// stream hub the app uses, and a real X display (Xvfb + x11vnc) behind the cluster's forward rule
// for pod port 5900. The viewer is a small RFB client reading pixels over the pane's stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile/names';
import { deploy } from '../../main/engine/deploy';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import type { VncService } from '../../main/streams';
import { adminCluster, exampleLab, uniqueLab } from './helpers/engine';
import { loadTestKubeConfig, waitFor, waitForRunningPod } from './helpers/kube';
import { RGB, type Display } from './vnc-display';
import { RfbViewer } from './vnc-rfb';
import { startVncRig, type VncRig } from './vnc-rig';

let cluster: HttpCluster;
let display: Display;
let rig: VncRig;
let server: VncRig['server'];
let vnc: VncService;
let namespace: string;
const lab = uniqueLab(exampleLab('desktop.yaml'), 'vnc');

beforeAll(async () => {
  rig = await startVncRig();
  ({ display, server, vnc } = rig);
  cluster = adminCluster();
  // The pod running is all VNC needs; the deployment's rollout status may lag on a busy cluster.
  await deploy(cluster, lab, { wait: false });
  namespace = devNamespace(lab.metadata.name);
  await waitForRunningPod(loadTestKubeConfig(), namespace, 'labforge.dev/node=workstation', 180_000);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  if (cluster && namespace) await cluster.delete(NAMESPACE, namespace).catch(() => undefined);
  cluster?.close();
});

describe('VNC to a desktop node through port-forward', () => {
  it("shows the display's colour in the pane's stream", async () => {
    const opened = await vnc.open({ namespace, node: 'workstation' });
    expect(opened).toMatchObject({ via: 'pod', port: 5900, namespace, node: 'workstation' });
    expect(opened.name).toMatch(/^workstation-/);
    const viewer = await RfbViewer.open(server.port, opened);
    expect([viewer.width, viewer.height]).toEqual([640, 400]);
    await viewer.waitForPixel(10, 10, RGB);
    expect(await viewer.pixel(639, 399)).toEqual([...RGB]);
    viewer.close();
    await waitFor('the session to end with its pane', async () => vnc.sessions().every((s) => s.id !== opened.sessionId), 10_000, 50);
  });

  it('lets a second, shared viewer in without disconnecting the first', async () => {
    const first = await RfbViewer.open(server.port, await vnc.open({ namespace, node: 'workstation' }));
    await first.waitForPixel(5, 5, RGB);
    const second = await RfbViewer.open(server.port, await vnc.open({ namespace, node: 'workstation' }));
    await second.waitForPixel(5, 5, RGB);
    // The first viewer is still connected and sees the screen change.
    await display.paint('#3456cd');
    await first.waitForPixel(20, 20, [0x34, 0x56, 0xcd]);
    await second.waitForPixel(20, 20, [0x34, 0x56, 0xcd]);
    expect(first.closed).toBe(false);
    expect(first.controls).toEqual([]);
    await display.paint('#12ab34');
    first.close();
    second.close();
  });

  it('says why a node without a screen, or a missing node, cannot be opened', async () => {
    await expect(vnc.open({ namespace, node: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(vnc.open({ namespace: 'no-such-namespace-vnc', node: 'workstation' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports the end of the session when the VNC server goes away', async () => {
    const viewer = await RfbViewer.open(server.port, await vnc.open({ namespace, node: 'workstation' }));
    await viewer.waitForPixel(1, 1, RGB);
    await display.stop();
    // kwok ends a forward at the client's next write after the server hung up (docs/cluster.md).
    await viewer.pixel(1, 1).catch(() => undefined);
    const exit = await viewer.exit();
    expect(exit).toMatchObject({ type: 'exit', code: null });
    viewer.close();
  });
});
