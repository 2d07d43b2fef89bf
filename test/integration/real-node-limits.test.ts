// What a lab promises about its resources, on the real node: a volume's data survives an upgrade
// to a new release (the database pod is replaced, its claim is not), a memory hog is OOM-killed
// inside its own pod's limit, and a fork bomb stops at the pod's pids limit — while another
// student's pods keep running and answering.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { REAL_NODE } from '../../main/cluster/node/config';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { POD, type IPod } from '../../main/kube/kinds';
import { adminCluster, makeRelease, uniqueLab } from './helpers/engine';
import { execIn, loadTestKubeConfig, onRealNode, randomId, waitFor } from './helpers/kube';

const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: limits
volumes:
  - name: pgdata
    size: 1Gi
nodes:
  - name: db
    kind: container
    image: postgres:16
    security: { user: root }
    env: { POSTGRES_PASSWORD: labforge, POSTGRES_DB: shop }
    volumes: [{ volume: pgdata, mountPath: /var/lib/postgresql/data }]
    resources: { requests: { cpu: 50m, memory: 64Mi }, limits: { memory: 256Mi } }
  - name: box
    kind: container
    image: alpine:3.20
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 64Mi } }
  - name: forks
    kind: container
    image: alpine:3.20
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    # Room for 512 processes, so the pids limit, not memory, is what stops a fork bomb.
    resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 1Gi } }
`;

const students = numberedStudents(2);
const className = `lim-${randomId(3)}`;
const namespaces = students.map((s) => studentNamespace(className, s.id));
let kc: KubeConfig;
let client: HttpCluster<KubeConfig>;
let lab: Lab;

const ready = (p: IPod) => !p.metadata?.deletionTimestamp && p.spec?.nodeName === REAL_NODE.name && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function podOf(ns: string, node: string): Promise<IPod> {
  return waitFor(`${node} in ${ns} to run`, async () => (await client.list(POD, { namespace: ns, labelSelector: `labforge.dev/node=${node}` })).items.find(ready), 180_000, 1000);
}

/** psql inside the db node, retried while PostgreSQL starts (the lab declares no readiness probe). */
async function psql(ns: string, sql: string): Promise<string> {
  return waitFor('PostgreSQL to answer', async () => {
    const pod = await podOf(ns, 'db');
    const r = await execIn(kc, ns, pod.metadata!.name!, 'db', ['psql', '-U', 'postgres', '-d', 'shop', '-At', '-c', sql]);
    return r.status.status === 'Success' ? r.stdout.trim() : undefined;
  }, 120_000, 1000);
}

beforeAll(async () => {
  kc = loadTestKubeConfig();
  client = adminCluster();
  const parsed = parseLab(LAB);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  lab = uniqueLab(parsed.lab, 'lim');
  const release = await makeRelease(client, lab, 'v1');
  await onRealNode(kc, namespaces);
  const r = await publish(client, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  for (const ns of namespaces) for (const node of ['db', 'box', 'forks']) await podOf(ns, node);
}, 400_000);

afterAll(async () => {
  if (client) await teardown(client, className).catch(() => undefined);
  client?.close();
});

describe('resources on the real node', () => {
  it("a volume's data survives an upgrade that replaces the database pod", async () => {
    const ns = namespaces[0]!;
    await psql(ns, 'create table marks (v text); insert into marks values (\'kept-across-upgrade\')');
    const before = (await podOf(ns, 'db')).metadata!.uid;

    // v2 changes the db node, so its StatefulSet rolls a new pod onto the same claim.
    const v2 = structuredClone(lab);
    v2.nodes.find((n) => n.name === 'db')!.env = { ...v2.nodes.find((n) => n.name === 'db')!.env, LAB_VERSION: '2' };
    const release = await makeRelease(client, v2, 'v2');
    const r = await publish(client, { className, students, release });
    expect(r.results.map((x) => x.status)).toEqual(['updated', 'updated']);
    const after = await waitFor('a new db pod', async () => {
      const p = await podOf(ns, 'db');
      return p.metadata!.uid !== before ? p : undefined;
    }, 240_000, 1000);
    expect(after.spec?.containers[0]?.env?.find((e) => e.name === 'LAB_VERSION')?.value).toBe('2');
    expect(await psql(ns, 'select v from marks')).toBe('kept-across-upgrade');
  });

  it('a memory hog is OOM-killed inside its own pod; the pod and the other student keep running', async () => {
    const ns = namespaces[0]!;
    const box = await podOf(ns, 'box');
    // 200 MiB held by tail against a 64 MiB limit: the kernel kills it in the pod's memory cgroup.
    const r = await execIn(kc, ns, box.metadata!.name!, 'box', ['sh', '-c', 'head -c 200000000 /dev/zero | tail; echo "status $?"']);
    expect(r.stdout).toMatch(/status 137/);
    const still = await podOf(ns, 'box');
    expect(still.metadata?.uid).toBe(box.metadata?.uid);
    const other = await podOf(namespaces[1]!, 'box');
    const alive = await execIn(kc, namespaces[1]!, other.metadata!.name!, 'box', ['sh', '-c', 'echo still-here']);
    expect(alive.stdout).toBe('still-here\n');
  });

  it("a fork bomb stops at the pod's pids limit; the other student's node still answers", async () => {
    const ns = namespaces[0]!;
    const box = await podOf(ns, 'forks');
    // Forks until the kernel refuses (the shell then gives up with "Cannot fork"), writing how far
    // it got; every child sleeps 15 s, so they add up, then go.
    const script = 'n=0; while [ $n -lt 3000 ]; do sleep 15 & n=$((n+1)); echo $n > /tmp/forked; done; echo "never refused"';
    const r = await execIn(kc, ns, box.metadata!.name!, 'forks', ['sh', '-c', script]);
    expect(r.stdout).not.toContain('never refused');
    expect(r.stderr, r.stdout).toMatch(/fork|Resource temporarily unavailable|Cannot allocate/i);
    // Once the sleeps end the pod takes commands again: how many it held is what the limit allowed.
    const forked = await waitFor('the pod to take a command again', async () => {
      const res = await execIn(kc, ns, box.metadata!.name!, 'forks', ['cat', '/tmp/forked']).catch(() => undefined);
      return res?.status.status === 'Success' ? Number(res.stdout.trim()) : undefined;
    }, 90_000, 2000);
    expect(forked).toBeGreaterThan(100);
    expect(forked).toBeLessThanOrEqual(512);
    const other = await podOf(namespaces[1]!, 'box');
    const alive = await execIn(kc, namespaces[1]!, other.metadata!.name!, 'box', ['sh', '-c', 'echo still-here']);
    expect(alive.stdout).toBe('still-here\n');
    expect((await podOf(namespaces[1]!, 'db')).metadata?.uid).toBeTruthy();
  });
});
