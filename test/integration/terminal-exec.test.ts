// Terminal sessions against the real local control plane: a shell in a published student's pod
// through the same TerminalService, stream hub and wire protocol the app uses, with the pane
// played by a WebSocket client (terminal-pane.ts). The class runs on the local cluster's real
// node, so every shell runs inside the student's container (PIDs are the container's own).
import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { createTerminalService, ExecSession, runOnce, TerminalError, type ExecTarget, type OpenRequest, type TerminalService } from '../../main/streams';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { createTestNamespace, IDLE_COMMAND, loadTestKubeConfig, onRealNode, randomId, waitFor, waitForRunningPod, type TestNamespace } from './helpers/kube';
import { plain, startStreamServer, TestPane } from './terminal-pane';

const students = numberedStudents(2);
const className = `term-${randomId(3)}`;
const WINDOW = 128 * 1024;
let cluster: HttpCluster;
let adminKc: KubeConfig;
const studentKcs = new Map<string, KubeConfig>();
let server: Awaited<ReturnType<typeof startStreamServer>>;
let admin: TerminalService;
let scratch: TestNamespace;
const [alice, bob] = students.map((s) => s.id) as [string, string];
const nsOf = (student: string) => studentNamespace(className, student);

beforeAll(async () => {
  cluster = adminCluster();
  adminKc = loadTestKubeConfig();
  const lab = uniqueLab(exampleLab('routing-lab.yaml'), 'tm');
  const release = await makeRelease(cluster, lab, 'v1');
  await onRealNode(adminKc, students.map((s) => nsOf(s.id)));
  const r = await publish(cluster, { className, students, release });
  expect(r.results.every((x) => x.status === 'created')).toBe(true);
  for (const s of students) {
    const creds = await studentCredentials(cluster, className, s.id, 3600);
    const kc = new KubeConfig();
    kc.loadFromString(creds.kubeconfig);
    studentKcs.set(s.id, kc);
    await waitForRunningPod(adminKc, creds.namespace, 'labforge.dev/node=router');
  }
  scratch = await createTestNamespace(adminKc, 'term', 'real');
  server = await startStreamServer();
  admin = createTerminalService({ connector: server.hub, kubeConfig: () => adminKc, window: WINDOW, hangupGraceMs: 1000 });
}, 300_000);

afterAll(async () => {
  await admin?.closeAll();
  await server?.close();
  await scratch?.cleanup();
  if (cluster) await teardown(cluster, className).catch(() => undefined);
});

/** Opens a session and connects a pane; retries while the pod's container is still starting. */
async function open(service: TerminalService, request: Omit<OpenRequest, 'cols' | 'rows'> & { cols?: number; rows?: number }) {
  const opened = await waitFor('a terminal session', async () => {
    try {
      return await service.open({ cols: 80, rows: 24, ...request });
    } catch (err) {
      if (err instanceof TerminalError && (err.code === 'forbidden' || err.code === 'invalid_request')) throw err;
      return undefined;
    }
  }, 30_000, 300);
  const pane = await TestPane.connect(server.port, opened);
  const target: ExecTarget = { namespace: opened.namespace, pod: opened.pod, container: opened.container };
  // Every shell this file starts is checked at the end: none may outlive its pane.
  const pid = await waitFor('the shell to report its PID', async () => service.sessions().find((s) => s.id === opened.sessionId)?.pid ?? undefined, 15_000, 20);
  shells.push({ target, pid });
  return { opened, pane, target };
}

const shells: { target: ExecTarget; pid: number }[] = [];

/** Runs `script` in the target with a second, non-tty exec (what an instructor's check would be). */
async function sh(target: ExecTarget, script: string): Promise<string> {
  return (await runOnce(adminKc, target, ['sh', '-c', script])).stdout.trim();
}

/** 'alive' while the process runs; a zombie waiting for its reaper counts as gone. */
const alive = (target: ExecTarget, pid: number) =>
  sh(target, `st=; [ -r /proc/${pid}/stat ] && read -r _ _ st _ < /proc/${pid}/stat; case "$st" in ''|Z|X) echo gone;; *) echo alive;; esac`);

describe('a terminal into a published student node', () => {
  it('runs what is typed: echo $((6*7)) prints 42', async () => {
    const { pane } = await open(admin, { namespace: nsOf(alice), node: 'router' });
    pane.type('echo $((6*7))\n');
    await pane.expect(/^42$/m);
    pane.close();
  });

  it('follows the pane size: stty size prints the new size after a resize', async () => {
    const { pane } = await open(admin, { namespace: nsOf(alice), node: 'router', cols: 80, rows: 24 });
    pane.type('stty size\n');
    await pane.expect(/^24 80$/m);
    pane.resize(132, 43);
    // The resize travels on its own channel; give the tty a moment before asking again.
    await new Promise((r) => setTimeout(r, 300));
    pane.type('stty size\n');
    await pane.expect(/^43 132$/m);
    pane.close();
  });

  it('closing the pane hangs up the shell and its jobs', async () => {
    const { opened, pane, target } = await open(admin, { namespace: nsOf(bob), node: 'router' });
    pane.type('echo PID=$$; sleep 1000 & echo BG=$!\n');
    const shell = Number((await pane.expect(/^PID=(\d+)$/m))[1]);
    const job = Number((await pane.expect(/^BG=(\d+)$/m))[1]);
    expect(admin.sessions().find((s) => s.id === opened.sessionId)?.pid).toBe(shell);
    expect(await alive(target, shell)).toBe('alive');
    expect(await alive(target, job)).toBe('alive');

    pane.close();
    await waitFor('the session to end', async () => !admin.sessions().some((s) => s.id === opened.sessionId), 15_000, 50);
    expect(await alive(target, shell)).toBe('gone');
    // bash passes the hang-up on to its jobs as it exits; the signal may still be on its way to
    // the job when the session has ended (seen once under load), so the job gets a few seconds.
    await waitFor('the job to be hung up', async () => (await alive(target, job)) === 'gone', 5_000, 200);
  });

  it('reports the exit code of `exit 3`', async () => {
    const { pane } = await open(admin, { namespace: nsOf(alice), node: 'router' });
    pane.type('exit 3\n');
    expect(await pane.exit()).toMatchObject({ type: 'exit', reason: 'exited', code: 3 });
    pane.close();
  });

  it("refuses a student's credentials in another student's namespace, saying forbidden", async () => {
    const asAlice = createTerminalService({ connector: server.hub, kubeConfig: () => studentKcs.get(alice)! });
    // Her own namespace works.
    const { pane } = await open(asAlice, { namespace: nsOf(alice), node: 'router' });
    pane.type('echo mine-$((2+3))\n');
    await pane.expect(/^mine-5$/m);
    pane.close();
    await asAlice.closeAll();

    // Bob's: refused when looking up the node's pod...
    const err = await asAlice.open({ namespace: nsOf(bob), node: 'router', cols: 80, rows: 24 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalError);
    expect((err as TerminalError).code).toBe('forbidden');
    expect((err as TerminalError).message).toMatch(/^forbidden: .*is forbidden: User "system:serviceaccount:[^"]+" cannot list resource "pods"/);
    expect((err as TerminalError).message).toContain(nsOf(bob));

    // ...and by the exec itself, with the API server's own reason.
    const bobPod = (await waitForRunningPod(adminKc, nsOf(bob), 'labforge.dev/node=router')).metadata!.name!;
    const direct = await ExecSession.start({
      kc: studentKcs.get(alice)!,
      target: { namespace: nsOf(bob), pod: bobPod, container: 'router' },
      cols: 80,
      rows: 24,
      onData: () => undefined,
      onExit: () => undefined,
    }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(TerminalError);
    expect((direct as TerminalError).code).toBe('forbidden');
    expect((direct as TerminalError).message).toMatch(/cannot (get|create) resource "pods\/exec" in API group "" in the namespace "/);
  });

  it('holds a flood (`yes`) to the window while the pane is slow, and stops it on close', async () => {
    const { opened, pane, target } = await open(admin, { namespace: nsOf(bob), node: 'router' });
    expect(opened.window).toBe(WINDOW);
    pane.type('echo PID=$$\n');
    const shell = Number((await pane.expect(/^PID=(\d+)$/m))[1]);
    pane.autoAck = false;
    pane.ack(pane.received);
    pane.type('yes\n');

    // A slow pane: 16 KiB acknowledged every 50 ms (~320 KiB/s) for 3 s.
    const stats = () => admin.sessions().find((s) => s.id === opened.sessionId)!.stats;
    let worst = 0;
    const started = Date.now();
    while (Date.now() - started < 3000) {
      await new Promise((r) => setTimeout(r, 50));
      pane.ack(Math.min(16 * 1024, pane.received - pane.acked));
      const s = stats();
      worst = Math.max(worst, s.inFlight + s.queued + s.transportBuffered);
    }
    const s = stats();
    // In flight: at most the window plus the one chunk that crossed it; waiting in main: a
    // quarter window plus what the socket had already read when it was paused.
    expect(s.maxInFlight).toBeLessThanOrEqual(WINDOW + 64 * 1024);
    expect(s.maxQueued).toBeLessThanOrEqual(WINDOW / 4 + 128 * 1024);
    expect(worst).toBeLessThanOrEqual(WINDOW + WINDOW / 4 + 192 * 1024);
    expect(s.paused).toBe(true);
    expect(pane.received).toBeGreaterThan(WINDOW);
    expect(plain(pane.text)).toMatch(/^y$/m);

    // A fast pane again: the flood flows at full speed.
    pane.autoAck = true;
    pane.ack(pane.received - pane.acked);
    const before = pane.received;
    await new Promise((r) => setTimeout(r, 1000));
    expect(pane.received - before).toBeGreaterThan(1024 * 1024);

    pane.close();
    await waitFor('the session to end', async () => !admin.sessions().some((x) => x.id === opened.sessionId), 15_000, 50);
    expect(await alive(target, shell)).toBe('gone');
    // Nothing of that session is left: `yes` went with its shell (a zombie may linger a moment).
    await waitFor('the session\'s processes to go', async () => (await sh(target, `ps -o stat= -s ${shell} | grep -v '^Z' || true`)) === '', 10_000, 200);
  });
});

describe('targets', () => {
  it('lists the containers of a multi-container pod and opens in the one picked', async () => {
    const core = adminKc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: scratch.name,
      body: {
        metadata: { name: 'multi', labels: { 'labforge.dev/node': 'multi' }, annotations: { 'kubectl.kubernetes.io/default-container': 'side' } },
        spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'alpine:3.20', command: IDLE_COMMAND }, { name: 'side', image: 'busybox:1.37', command: IDLE_COMMAND }] },
      },
    });
    await waitForRunningPod(adminKc, scratch.name, 'labforge.dev/node=multi');
    const listed = await admin.containers({ namespace: scratch.name, node: 'multi' });
    expect(listed.pod).toBe('multi');
    expect(listed.containers.map((c) => c.name)).toEqual(['main', 'side']);
    expect(listed.defaultContainer).toBe('side');

    const { opened, pane } = await open(admin, { namespace: scratch.name, node: 'multi', container: 'main' });
    expect(opened.container).toBe('main');
    expect(opened.containers).toEqual(['main', 'side']);
    pane.type('echo in-$((40+2))\n');
    await pane.expect(/^in-42$/m);
    pane.close();

    const wrong = await admin.open({ namespace: scratch.name, node: 'multi', container: 'nope', cols: 80, rows: 24 }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/has no container "nope" \(it has: main, side\)/) });
  });

  it('says "not ready" for a pod that cannot run yet and "not found" for a node without a pod', async () => {
    const core = adminKc.makeApiClient(CoreV1Api);
    // An image on a `.invalid` registry can never be pulled: the kubelet backs off.
    await core.createNamespacedPod({
      namespace: scratch.name,
      body: { metadata: { name: 'stuck', labels: { 'labforge.dev/node': 'stuck' } }, spec: { containers: [{ name: 'main', image: 'registry.invalid/a:1' }] } },
    });
    const err = await waitFor('a pull failure', async () => {
      const e = await admin.open({ namespace: scratch.name, node: 'stuck', cols: 80, rows: 24 }).catch((x: unknown) => x);
      return e instanceof TerminalError && /ImagePullBackOff/.test(e.message) ? e : undefined;
    }, 30_000, 300);
    expect(err.code).toBe('not_ready');
    expect(err.message).toMatch(/^pod term-[0-9a-f]+\/stuck is not ready: it is Pending \(ImagePullBackOff\)$/);

    await expect(admin.open({ namespace: scratch.name, node: 'ghost', cols: 80, rows: 24 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('says "exited" with the exit code for a container that has terminated', async () => {
    const batch = adminKc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: scratch.name,
      body: {
        metadata: { name: 'once' },
        spec: { template: { metadata: { labels: { 'labforge.dev/node': 'once' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'alpine:3.20' }] } } },
      },
    });
    const err = await waitFor('the job pod to complete', async () => {
      const e = await admin.open({ namespace: scratch.name, node: 'once', cols: 80, rows: 24 }).catch((x: unknown) => x);
      return e instanceof TerminalError && e.code === 'exited' ? e : undefined;
    }, 60_000, 300);
    expect(err.message).toMatch(/container "main" of pod .* exited with code 0 \(Completed\)/);
  });
});

describe('after all of the above', () => {
  it('leaves no shell behind: every pane closed above has had its shell hung up', async () => {
    expect(shells.length).toBe(7);
    // Hang-ups run in the background after each pane closed; on a busy cluster each is an exec
    // that can take seconds.
    await waitFor('every session to end', async () => admin.sessions().length === 0, 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}; still open: ${JSON.stringify(admin.sessions().map((s) => ({ target: s.target, pid: s.pid })))}`);
    });
    const left = [];
    for (const s of shells) if ((await alive(s.target, s.pid)) === 'alive') left.push(s);
    expect(left).toEqual([]);
  });
});
