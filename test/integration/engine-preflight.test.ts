// Preflight writes nothing when anything is wrong, and cluster errors come back as one line
// with the next step: unreachable, bad credentials, forbidden, missing APIs, no capacity.
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { compileLab, LABEL } from '../../common/compile';
import { labelSelector } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import { freeCapacity } from '../../main/engine/capacity';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { deploy } from '../../main/engine/deploy';
import { CapacityError, publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import type { Lab } from '../../common/lab';
import { applyAll, preflight, PreflightError, sourceNamer } from '../../main/kube/apply';
import { KubeError } from '../../main/kube/errors';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

let client: HttpCluster;
let lab: Lab;
let release: Release;
const className = `pre-${randomId(3)}`;

async function namespaceExists(name: string): Promise<boolean> {
  return (await client.read(NAMESPACE, name)) !== undefined;
}

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('web-db.yaml'), 'pf');
  // No volumes in this copy, so dev becomes ready without a storage provisioner.
  lab.volumes = [];
  lab.nodes[1]!.volumes = undefined;
  delete lab.layout;
  release = await makeRelease(client, lab, 'v1');
});

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe('all-or-nothing preflight', () => {
  it('a lab whose third object is invalid writes nothing, and the error names its source', async () => {
    const namespace = `pre-${randomId()}`;
    const objects = compileLab(lab, { namespace });
    // The third object (the LimitRange) gets a type the API server rejects; the schema allows
    // any string there, so only the server-side dry-run can catch it.
    const third = objects[2]!;
    expect(third.kind).toBe('LimitRange');
    (third as KubeObject & { spec: { limits: { type: string }[] } }).spec.limits[0]!.type = 'Spaceship';
    third.metadata.annotations = { 'labforge.dev/source': 'nodes[1]' };

    const err = await preflight(client, objects, sourceNamer(lab)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    const problems = (err as PreflightError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ object: 'LimitRange/labforge-limits', source: 'node "db"' });
    expect(problems[0]!.message).toMatch(/Spaceship|Unsupported value/);
    expect((err as Error).message).toContain('nothing was written');
    expect(await namespaceExists(namespace)).toBe(false);
  });

  it('an object that breaks the OpenAPI schema is caught before the cluster sees it', async () => {
    const namespace = `pre-${randomId()}`;
    const objects = compileLab(lab, { namespace });
    (objects[2] as KubeObject & { spec: unknown }).spec = { limits: 'none' };
    await expect(preflight(client, objects, sourceNamer(lab))).rejects.toThrow(/LimitRange\/labforge-limits/);
    expect(await namespaceExists(namespace)).toBe(false);
  });

  it('deploy of an invalid lab leaves the cluster as it was', async () => {
    const bad = structuredClone(lab);
    bad.metadata.name = `bad-${randomId(3)}`;
    // A storage class name the API server would reject (not a DNS subdomain): lab validation,
    // which mirrors the server's, refuses it at its field before anything is sent.
    bad.volumes = [{ name: 'data', size: '1Gi', storageClass: 'Not_A_Class' }];
    bad.nodes[1]!.volumes = [{ volume: 'data', mountPath: '/data' }];
    await expect(deploy(client, bad, { wait: false })).rejects.toThrow(/nothing was written[\s\S]*volumes\[0\]\.storageClass/);
    expect(await namespaceExists(`${bad.metadata.name}-dev`)).toBe(false);
  });

  it('a kind the cluster does not serve is reported before anything is written', async () => {
    const namespace = `pre-${randomId()}`;
    const objects: KubeObject[] = [
      ...compileLab(lab, { namespace }),
      { apiVersion: 'example.invalid/v1', kind: 'Gadget', metadata: { name: 'g', namespace } },
    ];
    const err = await preflight(client, objects, sourceNamer(lab)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).kind).toBe('missing-api');
    expect((err as Error).message).toBe('the cluster does not serve Gadget (example.invalid/v1)');
    expect(await namespaceExists(namespace)).toBe(false);
  });

  it('a class that does not fit the free capacity is refused with a table', async () => {
    // The shared cluster's size varies (benchmarks add nodes): ask for all of its free CPU per student.
    const cpu = String(Math.ceil((await freeCapacity(client)).cpu) + 1);
    const huge = structuredClone(release);
    huge.lab.nodes[0]!.resources = { requests: { cpu, memory: '1Gi' }, limits: { cpu, memory: '1Gi' } };
    const err = await publish(client, { className, students: numberedStudents(3), release: huge }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityError);
    expect((err as Error).message).toMatch(/^cpu\s+.+\s+NO$/m);
    // The engine says what to do without naming a CLI flag; the hint lets each front end word it.
    expect((err as Error).message).not.toContain('--');
    expect((err as CapacityError).hint).toBe('force');
    expect((await client.list(NAMESPACE, { labelSelector: labelSelector({ [LABEL.class]: className }) })).items).toEqual([]);
  });
});

describe('cluster errors are one line with a next step', () => {
  let closed: net.Server;
  let port: number;
  beforeAll(async () => {
    closed = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r)); // now nothing listens there
  });

  function kubeconfigFor(server: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true, ...extra }],
      users: [{ name: 'u', ...user }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  }

  it('unreachable', async () => {
    const c = clusterFor(kubeconfigFor(`https://127.0.0.1:${port}`, { token: 'x' }));
    const err = (await c.ping().catch((e: unknown) => e)) as KubeError;
    expect(err.kind).toBe('unreachable');
    expect(err.hint).toBe('check-cluster');
    expect(err.message).toMatch(/^cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check that it is running/);
    expect(err.message).not.toContain('\n');
  });

  it('invalid credentials', async () => {
    const c = clusterFor(kubeconfigFor(client.identity.server, { token: 'not-a-valid-token' }));
    const err = (await c.ping().catch((e: unknown) => e)) as KubeError;
    expect(err.kind).toBe('unauthorized');
    expect(err.message).toContain('rejected your credentials (expired or invalid); log in again');
    expect(err.message).not.toContain('not-a-valid-token');
  });

  it('forbidden', async () => {
    await publish(client, { className, students: [{ id: 'eve' }], release });
    const creds = await studentCredentials(client, className, 'eve', 600);
    const kc = new KubeConfig();
    kc.loadFromString(creds.kubeconfig);
    const err = (await deploy(clusterFor(kc), lab, { wait: false }).catch((e: unknown) => e)) as KubeError;
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(/forbidden: .*; ask a cluster admin for this permission/);
  });

  it('applyAll on a good lab still works after all of that', async () => {
    const namespace = `pre-${randomId()}`;
    await applyAll(client, compileLab(lab, { namespace }));
    expect(await namespaceExists(namespace)).toBe(true);
    await client.delete(NAMESPACE, namespace);
  });
});
