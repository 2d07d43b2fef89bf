// Labs run for real: web-db published to 3 students on the local cluster's real node (containerd,
// runc, kubelet, the bridge CNI, kube-proxy, CoreDNS). Every probe runs inside a student's own
// containers through the API server's exec, the path terminals, checks and the gateway use.
import type { KubeConfig, V1Status } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { REAL_NODE } from '../../main/cluster/node/config';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { NAMESPACE, POD, NODE } from '../../main/kube/kinds';
import { findExecPod, findPod, TerminalError } from '../../main/streams';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { stringify } from 'yaml';
import { runCli } from '../../main/cli/program';
import { allCommands } from '../../main/cli/commands';
import { adminCluster, exampleLab, lightweight, makeRelease, uniqueLab } from './helpers/engine';
import { createTestNamespace, execIn, loadTestKubeConfig, onRealNode, randomId, testClusterDir, waitFor, type TestNamespace } from './helpers/kube';

const students = numberedStudents(3);
const className = `rn-${randomId(3)}`;
let kc: KubeConfig;
let client: HttpCluster<KubeConfig>;
let lab: Lab;
const namespaces = students.map((s) => studentNamespace(className, s.id));

/** The running pod of a lab node in a namespace. */
async function podOf(namespace: string, node: string): Promise<string> {
  const pods = (await client.list(POD, { namespace, labelSelector: `labforge.dev/node=${node}` })).items;
  const pod = pods.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
  if (!pod?.metadata?.name) throw new Error(`no running pod for ${node} in ${namespace}`);
  return pod.metadata.name;
}

beforeAll(async () => {
  kc = loadTestKubeConfig();
  client = adminCluster();
  lab = uniqueLab(exampleLab('web-db.yaml'), 'rn');
  const release = await makeRelease(client, lab, 'v1');
  await onRealNode(kc, namespaces);
  const r = await publish(client, { className, students, release });
  expect(r.results.map((x) => x.status)).toEqual(['created', 'created', 'created']);
  // Every pod of the class Ready on the real node: nginx answering its probe, postgres initialised.
  await waitFor('the class to run on the real node', async () => {
    for (const ns of namespaces) {
      const pods = (await client.list(POD, { namespace: ns })).items;
      if (pods.length !== 2) return false;
      if (!pods.every((p) => p.spec?.nodeName === REAL_NODE.name && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) return false;
    }
    return true;
  }, 240_000, 1000);
}, 600_000);

afterAll(async () => {
  if (client) await teardown(client, className).catch(() => undefined);
  client?.close();
});

describe('the real node', () => {
  it('is Ready beside the kwok nodes; the kind the placement does not name is tainted, so ordinary pods do not land there', async () => {
    const nodes = (await client.list(NODE)).items;
    const real = nodes.find((n) => n.metadata?.name === REAL_NODE.name);
    expect(real?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const kwok = nodes.filter((n) => n.metadata?.labels?.['type'] === 'kwok');
    expect(kwok.length).toBeGreaterThan(0);
    const taints = (n: (typeof nodes)[number]) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    // The suite runs with placement `simulated` (global-setup.ts): the real node repels ordinary pods.
    expect(taints(real!)).toContain('labforge.dev/real-node:NoSchedule');
    for (const n of kwok) expect(taints(n)).not.toContain('labforge.dev/simulated:NoSchedule');
  });
});

describe('web-db for 3 students, running for real', () => {
  it("each student's web node serves the lab's page to the db node, over the lab's DNS name", async () => {
    for (const ns of namespaces) {
      const db = await podOf(ns, 'db');
      // The postgres image has no HTTP client; bash's /dev/tcp is a plain TCP client.
      const r = await execIn(kc, ns, db, 'db', ['bash', '-c', 'exec 3<>/dev/tcp/web/80; printf "GET / HTTP/1.0\\r\\nHost: web\\r\\n\\r\\n" >&3; cat <&3']);
      expect(r.status.status, r.stderr).toBe('Success');
      expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(r.stdout).toContain('<h1>Hello from the web-db lab</h1>');
    }
  });

  it('the database accepts TCP from the web node and names resolve through the cluster DNS', async () => {
    for (const ns of namespaces) {
      const web = await podOf(ns, 'web');
      const dbIp = (await client.list(POD, { namespace: ns, labelSelector: 'labforge.dev/node=db' })).items[0]?.status?.podIP;
      // The lab has no readiness probe on db: PostgreSQL initialises its data directory first.
      const r = await waitFor('PostgreSQL to accept connections', async () => {
        const res = await execIn(kc, ns, web, 'web', ['sh', '-c', 'getent hosts db; getent hosts kubernetes.default.svc.cluster.local; bash -c "echo > /dev/tcp/db/5432" && echo db-open']);
        return res.stdout.includes('db-open') ? res : undefined;
      }, 90_000, 1000);
      expect(r.status.status, r.stderr).toBe('Success');
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]?.split(/\s+/)[0]).toBe(dbIp);
      expect(lines[1]).toMatch(/^10\.96\.0\.1\s/);
      expect(r.stdout).toContain('db-open');
    }
  });

  it("exec lands in the container: the image's os-release, PID 1 is the container's process, the host's files are invisible", async () => {
    const marker = `labforge-host-marker-${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'lf-host-'));
    writeFileSync(join(dir, marker), 'host secret');
    writeFileSync(join('/tmp', marker), 'host secret');
    try {
      const ns = namespaces[0]!;
      const web = await podOf(ns, 'web');
      const r = await execIn(kc, ns, web, 'web', ['sh', '-c', `. /etc/os-release; echo "$ID"; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /tmp/${marker} ${dir} 2>&1; ls ${testClusterDir()}/pki 2>&1; echo done`]);
      expect(r.status.status, r.stderr).toBe('Success');
      const [id, pid1, ...rest] = r.stdout.split('\n');
      expect(id).toBe('debian');
      expect(pid1).toMatch(/^nginx: master process/);
      const tail = rest.join('\n');
      expect(tail).toContain(`cannot access '/tmp/${marker}': No such file or directory`);
      expect(tail).toContain(`cannot access '${dir}': No such file or directory`);
      expect(tail).toContain(`cannot access '${testClusterDir()}/pki': No such file or directory`);
      expect(tail).not.toContain('tokens.csv');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(join('/tmp', marker), { force: true });
    }
  });

  it("a command's exit status comes back from inside the container", async () => {
    const ns = namespaces[1]!;
    const r = await execIn(kc, ns, await podOf(ns, 'web'), 'web', ['sh', '-c', 'echo oops >&2; exit 3']);
    expect(r.stderr).toContain('oops');
    expect(r.status.status).toBe('Failure');
    expect(r.status.reason).toBe('NonZeroExitCode');
    expect(r.status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message).toBe('3');
  });
});

describe('a kwok node', () => {
  let ns: TestNamespace | undefined;
  afterAll(async () => ns?.cleanup());

  it('refuses exec: nothing runs there, and nothing may run on the host instead', async () => {
    ns = await createTestNamespace(kc, 'rn-kwok', 'simulated');
    const core = kc.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api);
    await core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: 'sim', labels: { app: 'sim' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } });
    const pod = await waitFor('the simulated pod to run', async () => {
      const p = await client.read(POD, 'sim', ns!.name);
      return p?.status?.phase === 'Running' ? p : undefined;
    }, 60_000, 300);
    expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
    // Labforge's terminals and gateway say why before trying; listing its containers still works.
    expect((await findPod(client, { namespace: ns.name, pod: 'sim' })).metadata?.name).toBe('sim');
    const refused = await findExecPod(client, { namespace: ns.name, pod: 'sim' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TerminalError);
    expect(refused).toMatchObject({ code: 'simulated', message: expect.stringContaining('runs on a simulated node') });
    const r = await execIn(kc, ns.name, 'sim', 'main', ['sh', '-c', `echo ran-on-host > /tmp/labforge-kwok-exec-${randomId()}; id`]).catch((err: Error) => ({ stdout: '', stderr: err.message, status: { status: 'Failure' } as V1Status }));
    expect(r.status.status).toBe('Failure');
    expect(r.stdout).not.toContain('uid=');
  });

  it('an image no registry has shows as what it is: the image, why, and how to add it, not a pod pending forever', async () => {
    const ns = `rn-img-${randomId()}`;
    await onRealNode(kc, [ns]);
    const dir = mkdtempSync(join(tmpdir(), 'lf-img-'));
    try {
      const bad = lightweight(uniqueLab(exampleLab('web-db.yaml'), 'img'));
      const web = bad.nodes.find((n) => n.name === 'web');
      if (!web || web.kind !== 'container') throw new Error('web-db has no container node "web"');
      web.image = 'nginx:0.0-not-anywhere';
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, stringify(bad));
      let out = '';
      const started = Date.now();
      const code = await runCli(['deploy', file, '--namespace', ns, '--timeout', '3m', '--kubeconfig', join(testClusterDir(), 'kubeconfig')], { stdout: (t) => (out += t), stderr: (t) => (out += t) }, allCommands);
      expect(code, out).not.toBe(0);
      // Settled as a failure well before the timeout: the node asked the local registry and was told no.
      expect(Date.now() - started).toBeLessThan(150_000);
      expect(out).toMatch(/web\s+container\s+no \(failed: (ErrImagePull|ImagePullBackOff)\)/);
      expect(out).toContain('image nginx:0.0-not-anywhere (needed by web): no registry this cluster reaches has it');
      expect(out).toContain('labforge cluster images nginx:0.0-not-anywhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await client.delete(NAMESPACE, ns).catch(() => undefined);
    }
  }, 240_000);
});

