// Web links on the real control plane: with the class's random links, every student's exposure
// gets an unguessable subdomain that stays the same across a re-publish (and a new release),
// differs for every student and exposure, and is what the Ingress serves; readable links follow
// <node>-<port>.<namespace>.<domain>. Every label is a DNS label within 63 characters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { isDnsLabel } from '../../common/compile/names';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { classLinks } from '../../main/engine/reconcile';
import { deleteClassSettings, readLinkKey } from '../../main/engine/reconcile-settings';
import type { Release } from '../../main/engine/releases';
import type { Lab } from '../../common/lab';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const INGRESS = kindOf<{ metadata: { name: string }; spec: { rules: { host: string }[] } }>('networking.k8s.io/v1', 'Ingress');
const randomClass = `lnr-${randomId(3)}`;
const readableClass = `lnp-${randomId(3)}`;
const students = numberedStudents(4);
let client: HttpCluster;
let lab: Lab;
let v1: Release;
let v2: Release;

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('web-db.yaml'), 'rl');
  // Two exposures per student: unique across students and exposures both.
  lab.exposures.push({ node: 'db', port: 5432 });
  v1 = await makeRelease(client, lab, 'v1');
}, 240_000);

afterAll(async () => {
  for (const c of [randomClass, readableClass]) {
    await teardown(client, c).catch(() => undefined);
    await deleteClassSettings(client, c).catch(() => undefined);
  }
  client.close();
});

/** Every Ingress host of the class, by namespace and Ingress name, as the cluster has them. */
async function servedHosts(className: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of students) {
    const ns = studentNamespace(className, s.id);
    for (const ing of (await client.list(INGRESS, { namespace: ns })).items) out.set(`${ns}/${ing.metadata.name}`, ing.spec.rules[0]!.host);
  }
  return out;
}

const labels = (host: string) => host.split('.');

describe('web links', () => {
  it('random subdomains: unique across the class, valid labels, the hosts the Ingresses serve', async () => {
    await publish(client, { className: randomClass, students, release: v1, domain: 'labs.example.edu', links: 'random' });
    const links = await classLinks(client, randomClass);
    expect(links.map((l) => l.student)).toEqual(students.map((s) => s.id));
    const hosts = links.flatMap((l) => l.links.map((x) => x.host));
    expect(hosts).toHaveLength(students.length * 2);
    expect(new Set(hosts).size).toBe(hosts.length);
    for (const h of hosts) {
      expect(h).toMatch(/^l[0-9a-f]{23}\.labs\.example\.edu$/);
      for (const label of labels(h)) expect(isDnsLabel(label), label).toBe(true);
      // Nothing of the student, the node or the namespace shows in the name (hex cannot spell them).
      expect(labels(h)[0]).not.toMatch(/student|web|rl-|lnr-/);
    }
    expect([...(await servedHosts(randomClass)).values()].sort()).toEqual([...hosts].sort());
    expect(links[0]!.links[0]!.url).toBe(`http://${links[0]!.links[0]!.host}/`);
  });

  it('stay the same across a re-publish, a new release and a reset-style publish without options', async () => {
    const before = await servedHosts(randomClass);
    const key = await readLinkKey(client, randomClass);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    await publish(client, { className: randomClass, students, release: v1, domain: 'labs.example.edu' });
    expect(await servedHosts(randomClass)).toEqual(before);
    const changed = structuredClone(lab);
    changed.nodes[0]!.env = { ...changed.nodes[0]!.env, GREETING: 'v2' };
    v2 = await makeRelease(client, changed, 'v2');
    // No domain and no links option: the class keeps what it had.
    await publish(client, { className: randomClass, students: students.slice(0, 2), release: v2 });
    const after = await servedHosts(randomClass);
    for (const s of students.slice(0, 2)) {
      const ns = studentNamespace(randomClass, s.id);
      for (const name of ['web-80', 'db-5432']) expect(after.get(`${ns}/${name}`)).toBe(before.get(`${ns}/${name}`));
    }
    expect(await readLinkKey(client, randomClass)).toBe(key);
  }, 240_000);

  it('readable links are <node>-<port>.<namespace>.<domain>', async () => {
    await publish(client, { className: readableClass, students: students.slice(0, 1), release: v1 });
    const [one] = await classLinks(client, readableClass);
    const ns = studentNamespace(readableClass, students[0]!.id);
    expect(one!.links.map((l) => l.host)).toEqual([`web-80.${ns}.labs.localhost`, `db-5432.${ns}.labs.localhost`]);
    expect(await readLinkKey(client, readableClass)).toBeUndefined();
  });
});
