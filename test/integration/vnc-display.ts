// A real X display behind the local cluster's VNC forward, for the VNC tests: Xvfb, a solid
// colour drawn by xsetroot, and x11vnc (shared, loopback only) listening on the address pod port
// 5900 forwards to (`cluster up --vnc`, default 127.0.0.1:5900). The KubeVirt stand-in shows the
// same server as every VM's console.
//
// Only one test file can own that address at a time; a second one waits for it to be free.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { clusterStatus } from '../../main/cluster';
import { parseTarget } from '../../main/cluster/manifests';
import { waitFor } from './helpers/kube';

export const COLOUR = '#12ab34';
export const RGB = [0x12, 0xab, 0x34] as const;

export interface Display {
  display: string;
  vnc: { host: string; port: number };
  /** Paints the whole root window. */
  paint(colour: string): Promise<void>;
  /** x11vnc's log; with -debug_keyboard it names every key a viewer sends. */
  log: string;
  /** The X cut buffer x11vnc fills from a viewer's clipboard (RFB ClientCutText); needs xprop. */
  cutBuffer(): Promise<string>;
  stop(): Promise<void>;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: 'ignore' });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 3000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

/** Starts Xvfb + x11vnc on the cluster's VNC target; `logDir` receives their logs. */
export async function startDisplay(stateDir: string, logDir: string): Promise<Display> {
  for (const tool of ['Xvfb', 'x11vnc', 'xsetroot']) {
    if (!['/usr/bin', '/usr/local/bin', '/bin'].some((d) => existsSync(join(d, tool)))) {
      throw new Error(`${tool} is not installed (Debian packages xvfb, x11vnc, x11-xserver-utils)`);
    }
  }
  const status = await clusterStatus({ stateDir });
  if (!status.vnc) throw new Error('the local cluster reports no VNC target');
  const vnc = parseTarget(status.vnc);
  // Another VNC test (or a developer's server) may hold the address; wait our turn.
  await waitFor(`${status.vnc} to be free for x11vnc`, async () => !(await portOpen(vnc.host, vnc.port)), 180_000, 500);

  let n = 90;
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const display = `:${n}`;
  const env = { ...process.env, DISPLAY: display };
  // -noreset: an X server resets (and loses the root colour) when its last client leaves, and
  // xsetroot is a client that leaves at once.
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '640x400x24', '-nolisten', 'tcp', '-noreset'], { stdio: ['ignore', openSync(join(logDir, `xvfb-${n}.log`), 'a'), 'inherit'] });
  await waitFor(`Xvfb ${display}`, async () => existsSync(`/tmp/.X11-unix/X${n}`), 15_000, 100);
  const paint = (colour: string) => run('xsetroot', ['-solid', colour], env);
  await paint(COLOUR);
  // -shared: several viewers at once; -dontdisconnect: a viewer asking for exclusive access does
  // not throw the others out either; -forever: keep serving after the last viewer leaves.
  const log = join(logDir, `x11vnc-${n}.log`);
  const x11vnc = spawn(
    'x11vnc',
    ['-display', display, '-rfbport', String(vnc.port), '-listen', vnc.host, '-shared', '-dontdisconnect', '-forever', '-nopw', '-noxdamage', '-noipv6', '-norc', '-debug_keyboard', '-o', log],
    { env, stdio: 'ignore' },
  );
  await waitFor(`x11vnc on ${status.vnc}`, async () => (x11vnc.exitCode !== null ? Promise.reject(new Error(`x11vnc exited with ${x11vnc.exitCode}`)) : portOpen(vnc.host, vnc.port)), 20_000, 100);
  return {
    display,
    vnc,
    paint,
    log,
    cutBuffer: () =>
      new Promise((resolve, reject) => {
        const p = spawn('xprop', ['-root', 'CUT_BUFFER0'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.once('error', reject);
        // CUT_BUFFER0(STRING) = "text"
        p.once('exit', () => resolve(/= "(.*)"$/m.exec(out)?.[1] ?? ''));
      }),
    async stop() {
      await stopChild(x11vnc);
      await stopChild(xvfb);
    },
  };
}
