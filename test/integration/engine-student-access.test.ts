// For 10 students: a student's own token (from `credentials`) can exec and port-forward in its
// own namespace, and is denied everything in every other student's namespace.
import { PassThrough, Writable } from 'node:stream';
import { AuthorizationV1Api, CoreV1Api, Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { STUDENT_ROLE } from '../../common/compile/rbac';
import { kindOf } from '../../main/kube/cluster';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { Lab } from '../../common/lab';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, exampleLab, lightweight, makeRelease, uniqueLab } from './helpers/engine';
import { onRealNode, randomId, waitFor, waitForRunningPod } from './helpers/kube';

const students = numberedStudents(10);
const className = `acc-${randomId(3)}`;
const POD_PORT = 7412;
let client: HttpCluster<KubeConfig>;
let lab: Lab;
const kcs = new Map<string, KubeConfig>();
const pods = new Map<string, string>();

beforeAll(async () => {
  client = adminCluster();
  lab = lightweight(uniqueLab(exampleLab('routing-lab.yaml'), 'ac'));
  // The router runs an echo server on a port of its own (socat, in its container on the real node).
  lab.nodes[0]!.ports = [{ port: POD_PORT }];
  lab.nodes[0]!.command = ['socat', `TCP-LISTEN:${POD_PORT},fork,reuseaddr`, 'EXEC:cat'];
  const release = await makeRelease(client, lab, 'v1');
  await onRealNode(client.kc, students.map((s) => studentNamespace(className, s.id)));
  const r = await publish(client, { className, students, release });
  expect(r.results.every((x) => x.status === 'created')).toBe(true);

  for (const s of students) {
    const creds = await studentCredentials(client, className, s.id, 3600);
    const kc = new KubeConfig();
    kc.loadFromString(creds.kubeconfig);
    kcs.set(s.id, kc);
    const pod = await waitForRunningPod(client.kc, creds.namespace, 'labforge.dev/node=router');
    pods.set(s.id, pod.metadata!.name!);
  }
}, 300_000);

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

async function execAs(kc: KubeConfig, namespace: string, pod: string, command: string[]): Promise<{ stdout: string; status?: V1Status; error?: string }> {
  let stdout = '';
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { stdout += chunk.toString('utf8'); cb(); } });
  try {
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(namespace, pod, 'router', command, sink, null, null, false, resolve).then((ws) => ws.on('error', reject)).catch(reject);
    });
    return { stdout, status };
  } catch (err) {
    return { stdout, error: String((err as Error)?.message ?? err) };
  }
}

async function forwardAs(kc: KubeConfig, namespace: string, pod: string, message: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let received = '';
  output.on('data', (d: Buffer) => (received += d.toString('utf8')));
  const ws = await new PortForward(kc).portForward(namespace, pod, [POD_PORT], output, null, input);
  const socket = typeof ws === 'function' ? ws() : ws;
  try {
    input.write(message);
    return await waitFor('echo', async () => (received.length >= message.length ? received : undefined), 10_000, 50);
  } finally {
    socket?.close();
    input.end();
  }
}

describe('student credentials', () => {
  it('exec in their own namespace runs the command', async () => {
    for (const s of students) {
      const ns = studentNamespace(className, s.id);
      const marker = `hello-${randomId()}`;
      const r = await waitFor(`exec for ${s.id}`, async () => {
        const res = await execAs(kcs.get(s.id)!, ns, pods.get(s.id)!, ['sh', '-c', `echo ${marker}`]);
        return res.status?.status === 'Success' ? res : undefined;
      }, 30_000, 300);
      expect(r.stdout.trim()).toBe(marker);
    }
  });

  it('port-forward in their own namespace reaches the node', async () => {
    for (const s of students) {
      const msg = `pf-${s.id}-${randomId()}`;
      const reply = await waitFor(`port-forward for ${s.id}`, () => forwardAs(kcs.get(s.id)!, studentNamespace(className, s.id), pods.get(s.id)!, msg).catch(() => undefined), 30_000, 300);
      expect(reply).toBe(msg);
    }
  });

  it('exec and port-forward into every other student are forbidden', async () => {
    for (const s of students) {
      for (const other of students) {
        if (other.id === s.id) continue;
        const ns = studentNamespace(className, other.id);
        const r = await execAs(kcs.get(s.id)!, ns, pods.get(other.id)!, ['true']);
        expect(r.status?.status, `${s.id} → ${other.id}`).not.toBe('Success');
        expect(r.error ?? r.status?.message ?? '', `${s.id} → ${other.id}`).toMatch(/403|forbidden/i);
        await expect(forwardAs(kcs.get(s.id)!, ns, pods.get(other.id)!, 'x')).rejects.toThrow();
      }
    }
  });

  it('every request into another namespace is denied, and the rules there grant nothing', async () => {
    for (const s of students) {
      const core = kcs.get(s.id)!.makeApiClient(CoreV1Api);
      const authz = kcs.get(s.id)!.makeApiClient(AuthorizationV1Api);
      for (const other of students) {
        if (other.id === s.id) continue;
        const ns = studentNamespace(className, other.id);
        for (const call of [
          () => core.listNamespacedPod({ namespace: ns }),
          () => core.listNamespacedConfigMap({ namespace: ns }),
          () => core.deleteNamespacedPod({ namespace: ns, name: pods.get(other.id)! }),
        ]) {
          await expect(call(), `${s.id} → ${other.id}`).rejects.toMatchObject({ code: 403 });
        }
        const review = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: ns } } });
        // Only the cluster-wide self-review rules every authenticated user has.
        const granted = review.status!.resourceRules.filter((r) => !(r.apiGroups ?? []).every((g) => g === 'authorization.k8s.io' || g === 'authentication.k8s.io'));
        expect(granted, `${s.id} in ${other.id}`).toEqual([]);
      }
      // And in their own namespace they hold the lab rules, e.g. exec.
      const own = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: studentNamespace(className, s.id) } } });
      expect(own.status!.resourceRules.some((r) => r.resources?.includes('pods/exec'))).toBe(true);
      // Nothing cluster-scoped either.
      await expect(core.listNamespace()).rejects.toMatchObject({ code: 403 });
    }
  });
});

describe('the shared ClusterRole, by the API server\'s authorizer (SubjectAccessReview)', () => {
  // A second class of another lab binds the same ClusterRole.
  const otherClass = `acy-${randomId(3)}`;
  const others = numberedStudents(2);
  // A ServiceAccount's identity as its tokens carry it: the user and the groups of its own namespace.
  const user = (cls: string, id: string) => ({ user: `system:serviceaccount:${studentNamespace(cls, id)}:student`, groups: ['system:serviceaccounts', `system:serviceaccounts:${studentNamespace(cls, id)}`, 'system:authenticated'] });
  // What a student does in their namespace, and what they must never do anywhere.
  const GRANTED = [
    { verb: 'create', resource: 'pods', subresource: 'exec' },
    { verb: 'get', resource: 'pods', subresource: 'portforward' },
    { verb: 'list', resource: 'pods' },
    { verb: 'delete', resource: 'pods' },
    { verb: 'get', resource: 'configmaps' },
    { verb: 'get', resource: 'virtualmachineinstances', subresource: 'vnc', group: 'subresources.kubevirt.io' },
  ];
  const NEVER = [
    { verb: 'get', resource: 'secrets' },
    // Stored objects a student could make and not delete, with no quota counting them.
    { verb: 'create', resource: 'configmaps' },
    { verb: 'delete', resource: 'configmaps' },
    { verb: 'create', resource: 'pods' },
    { verb: 'patch', resource: 'networkpolicies', group: 'networking.k8s.io' },
    { verb: 'update', resource: 'resourcequotas' },
    { verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io' },
    { verb: 'bind', resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
  ];
  let authz: AuthorizationV1Api;
  const allowed = async (who: { user: string; groups: string[] }, namespace: string | undefined, a: { verb: string; resource: string; subresource?: string; group?: string }) => {
    const r = await authz.createSubjectAccessReview({
      body: { spec: { ...who, resourceAttributes: { namespace, verb: a.verb, resource: a.resource, subresource: a.subresource, group: a.group ?? '' } } },
    });
    return r.status!.allowed;
  };

  beforeAll(async () => {
    authz = client.kc.makeApiClient(AuthorizationV1Api);
    const otherLab = uniqueLab(exampleLab('web-db.yaml'), 'ay');
    const release = await makeRelease(client, otherLab, 'v1');
    const r = await publish(client, { className: otherClass, students: others, release, force: true });
    expect(r.results.map((x) => x.status)).toEqual(['created', 'created']);
  }, 300_000);

  afterAll(async () => {
    await teardown(client, otherClass).catch(() => undefined);
  });

  it('grants the student rules in the student\'s own namespace only: not in another class, not in a classmate\'s namespace, not cluster-wide', async () => {
    const x = students.slice(0, 3);
    const pairs: [string, string][] = [
      ...x.map((s) => [className, s.id] as [string, string]),
      ...others.map((s) => [otherClass, s.id] as [string, string]),
    ];
    let checks = 0;
    for (const [cls, id] of pairs) {
      const who = user(cls, id);
      const self = studentNamespace(cls, id);
      for (const a of GRANTED) expect(await allowed(who, self, a), `${who.user} ${a.verb} ${a.resource}/${a.subresource ?? ''} in own`).toBe(true);
      for (const a of NEVER) expect(await allowed(who, self, a), `${who.user} ${a.verb} ${a.resource} in own`).toBe(false);
      for (const [cls2, id2] of pairs) {
        if (cls2 === cls && id2 === id) continue;
        for (const a of GRANTED) {
          expect(await allowed(who, studentNamespace(cls2, id2), a), `${who.user} ${a.verb} ${a.resource} in ${cls2}/${id2}`).toBe(false);
          checks++;
        }
      }
      for (const a of [...GRANTED, { verb: 'list', resource: 'namespaces' }]) expect(await allowed(who, undefined, a), `${who.user} ${a.verb} ${a.resource} cluster-wide`).toBe(false);
    }
    expect(checks).toBe(pairs.length * (pairs.length - 1) * GRANTED.length);
  });

  it('tearing one class down keeps the ClusterRole, and the other class\'s students keep their access', async () => {
    const r = await teardown(client, otherClass, undefined, 240_000);
    expect(r.stuck).toEqual([]);
    expect(await client.read(kindOf('rbac.authorization.k8s.io/v1', 'ClusterRole'), STUDENT_ROLE)).toBeDefined();
    const s = students[0]!;
    expect(await allowed(user(className, s.id), studentNamespace(className, s.id), GRANTED[0]!)).toBe(true);
    // And the torn-down class's students have nothing left anywhere.
    expect(await allowed(user(otherClass, others[0]!.id), studentNamespace(otherClass, others[0]!.id), GRANTED[0]!)).toBe(false);
  });
});
