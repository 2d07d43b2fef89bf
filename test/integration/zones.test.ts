// One class over two zones: the test cluster and a second local control plane started here.
// A class of 20 spreads 10/10 and keeps each student's zone; stopping one zone's API server in
// the middle of a publish reports that zone and leaves the other alone, and publishing again
// once it is back converges; status and credentials span both zones; teardown clears both.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response, Result, StreamEvent } from '../../common/api/contract';
import { createHost } from '../../main/api/host';
import { createMemorySettings } from '../../main/api/settings';
import { numberedStudents } from '../../main/class/roster';
import type { Zone } from '../../main/class/zones';
import { clusterDown, clusterUp, namedStateDir } from '../../main/cluster';
import { readState } from '../../main/cluster/state';
import { layout } from '../../main/cluster/paths';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { classNamespaces } from '../../main/engine/publish';
import { readClassSettings } from '../../main/engine/reconcile-settings';
import type { Release } from '../../main/engine/releases';
import { publishZoned, readZonesRecord, zonedCredentials, zonedStatus, zonedTeardown, type ZoneConnector } from '../../main/engine/zones';
import { adminCluster, exampleLab, makeRelease, ROOT, uniqueLab } from './helpers/engine';
import { testKubeconfigPath } from './helpers/kube';
import { startStreamServer } from './terminal-pane';

const ZONE_B = 'zone-b-test';
const CLASS = `zn${Date.now().toString(36).slice(-5)}`;
const home = adminCluster();
let zones: Zone[];
let release: Release;
let bKubeconfig: string;
const connectZone: ZoneConnector = (zone) => connect({ kubeconfig: zone.kubeconfig! });
const students = numberedStudents(20);

beforeAll(async () => {
  const b = await clusterUp({ stateDir: namedStateDir(ZONE_B) });
  bKubeconfig = b.kubeconfig;
  zones = [
    { name: 'a', kubeconfig: testKubeconfigPath(), capacity: 10, domain: 'a.labs.localhost' },
    { name: 'b', kubeconfig: bKubeconfig, capacity: 10, domain: 'b.labs.localhost', imageMirror: 'mirror.invalid/hub' },
  ];
  release = await makeRelease(home, uniqueLab(exampleLab('web-db.yaml'), 'zn'), 'v1');
}, 300_000);

afterAll(async () => {
  for (const z of zones ?? []) {
    const c = connectZone(z);
    for (const ns of await classNamespaces(c, CLASS).catch(() => [])) await c.delete(NAMESPACE, ns.metadata!.name!).catch(() => undefined);
    c.close();
  }
  home.close();
  await clusterDown({ stateDir: namedStateDir(ZONE_B) });
}, 120_000);

async function labforge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function namespacesIn(kubeconfig: string): Promise<string[]> {
  const c: HttpCluster = connect({ kubeconfig });
  try {
    return (await classNamespaces(c, CLASS)).filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!).sort();
  } finally {
    c.close();
  }
}

describe('a class over two zones', () => {
  it('spreads 20 students 10/10 with per-zone values, and status and credentials span both zones', async () => {
    const r = await publishZoned(home, connectZone, { className: CLASS, students, release, zones, force: true });
    expect(r.unreachable).toEqual([]);
    expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
    expect(r.results.filter((x) => x.zone === 'a')).toHaveLength(10);
    expect(r.results.filter((x) => x.zone === 'b')).toHaveLength(10);
    expect(await namespacesIn(testKubeconfigPath())).toEqual(r.results.filter((x) => x.zone === 'a').map((x) => x.namespace).sort());
    expect(await namespacesIn(bKubeconfig)).toEqual(r.results.filter((x) => x.zone === 'b').map((x) => x.namespace).sort());

    // Zone b pulls through its mirror and exposes under its own domain.
    const b = connectZone(zones[1]!);
    const bStudent = r.results.find((x) => x.zone === 'b')!;
    const deployment = (await b.read({ apiVersion: 'apps/v1', kind: 'Deployment' } as never, 'web', bStudent.namespace)) as { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined;
    expect(deployment?.spec.template.spec.containers[0]!.image).toBe('mirror.invalid/hub/library/nginx:1.27');
    const ingress = (await b.list({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as never, { namespace: bStudent.namespace })).items as { spec: { rules: { host: string }[] } }[];
    expect(ingress[0]!.spec.rules[0]!.host).toMatch(/\.b\.labs\.localhost$/);
    b.close();

    const record = (await readZonesRecord(home, CLASS))!;
    const status = await zonedStatus(record, connectZone, CLASS);
    expect(status.unreachable).toEqual([]);
    expect(status.rows.map((row) => row.student)).toEqual(students.map((s) => s.id));
    expect(new Set(status.rows.map((row) => row.zone))).toEqual(new Set(['a', 'b']));

    // The app's class view (the same dispatcher the renderer reaches) merges both zones' live views.
    process.env['KUBECONFIG'] = testKubeconfigPath();
    const streams = await startStreamServer();
    const host = createHost({ mode: 'browser', version: 'test', workspace: null, examplesDir: '/nonexistent', settings: createMemorySettings(), streams: streams.hub });
    const controller = new AbortController();
    const events: StreamEvent<'class.watch'>[] = [];
    const watching = host.dispatch('class.watch', { className: CLASS }, { signal: controller.signal, emit: (e) => events.push(e as StreamEvent<'class.watch'>) });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(events.at(-1)?.rows.length === 20)) await new Promise((res) => setTimeout(res, 200));
    const last = events.at(-1)!;
    expect(last.rows.map((row) => row.student)).toEqual(students.map((st) => st.id));
    expect(last.rows.filter((row) => row.zone === 'b').map((row) => row.namespace).sort()).toEqual(r.results.filter((x) => x.zone === 'b').map((x) => x.namespace).sort());
    expect(last.unreachable ?? []).toEqual([]);
    const appCreds = (await host.dispatch('class.credentials', { className: CLASS, student: bStudent.student, hours: 1 })) as Result<Response<'class.credentials'>>;
    expect(appCreds.ok && appCreds.value.kubeconfig).toContain(readFileSync(bKubeconfig, 'utf8').match(/server: (\S+)/)![1]);
    // A pane on a zone-b student finds the pod in zone b's cluster (the home cluster has no such
    // namespace); a zone-a student's pane stays on the home cluster.
    const aStudent = r.results.find((x) => x.zone === 'a')!;
    for (const s of [bStudent, aStudent]) {
      const pane = (await host.dispatch('terminal.containers', { namespace: s.namespace, node: 'web' })) as Result<Response<'terminal.containers'>>;
      expect(pane.ok ? pane.value.defaultContainer : pane.error.message).toBe('web');
    }
    expect(await home.read(NAMESPACE, bStudent.namespace)).toBeUndefined();
    // Checks, keys, drift and links follow the class over both zones too.
    const checks = (await host.dispatch('checks.results', { className: CLASS })) as Result<Response<'checks.results'>>;
    expect(checks.ok ? checks.value.students.map((x) => x.namespace).sort() : checks.error.message).toEqual(r.results.map((x) => x.namespace).sort());
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHQMh6pNGZMWz/9GqSBkXlUXbSaB3kLyB4QhTXJm2JNG b@laptop';
    const added = (await host.dispatch('keys.add', { className: CLASS, student: bStudent.student, key })) as Result<Response<'keys.add'>>;
    expect(added.ok ? added.value.student : added.error.message).toBe(bStudent.student);
    const keys = (await host.dispatch('keys.list', { className: CLASS })) as Result<Response<'keys.list'>>;
    expect(keys.ok ? keys.value.keys.map((k) => k.student) : keys.error.message).toEqual([bStudent.student]);
    const health = (await host.dispatch('class.health', { className: CLASS })) as Result<Response<'class.health'>>;
    expect(health.ok ? health.value.drift : health.error.message).toEqual([]);
    expect(health.ok ? health.value.links.map((l) => l.namespace).sort() : []).toEqual(r.results.map((x) => x.namespace).sort());
    expect(health.ok ? health.value.links.find((l) => l.namespace === bStudent.namespace)!.links[0]!.url : '').toMatch(/\.b\.labs\.localhost\//);
    controller.abort();
    await watching;
    host.live.stopAll();
    host.clusters.close();
    await streams.close();

    // The CLI reads the class's zones from the home cluster: one table over both zones.
    const cli = await labforge('status', '--class', CLASS, '--kubeconfig', testKubeconfigPath());
    expect(cli.code, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STUDENT\s+ZONE\s+NAMESPACE/);
    // Below the table, one line per image no registry has: zone b's per-zone mirror (a registry
    // under .invalid) is what kwok cannot pull, and the CLI says so.
    const hints = lines.slice(1).filter((l) => l.startsWith('image '));
    for (const h of hints) expect(h).toMatch(/^image mirror\.invalid\/\S+ \(needed by student-/);
    const rows = lines.slice(1).filter((l) => !l.startsWith('image '));
    expect(rows.map((l) => l.split(/\s+/)[1]).sort()).toEqual([...Array(10).fill('a'), ...Array(10).fill('b')]);
    // check, keys, reconcile and expire follow the zones from the CLI too.
    const conn = ['--kubeconfig', testKubeconfigPath()];
    const drift = await labforge('reconcile', '--class', CLASS, ...conn);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toMatch(/20 students checked, no drift/);
    const checked = await labforge('check', '--class', CLASS, ...conn);
    expect(checked.code, checked.stderr).toBe(0);
    const aOne = r.results.find((x) => x.zone === 'a')!;
    const keyFile = join(mkdtempSync(join(tmpdir(), 'labforge-zones-key-')), 'a.pub');
    writeFileSync(keyFile, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHQMh6pNGZMWz/9GqSBkXlUXbSaB3kLyB4QhTXJm2JNG a@laptop\n');
    const keyAdded = await labforge('keys', 'add', keyFile, '--class', CLASS, '--student', aOne.student, ...conn);
    expect(keyAdded.code, keyAdded.stderr).toBe(0);
    const keyList = await labforge('keys', 'list', '--class', CLASS, ...conn);
    expect(keyList.code, keyList.stderr).toBe(0);
    expect(keyList.stdout).toContain(aOne.student);
    expect(keyList.stdout).toContain(bStudent.student);
    const ends = await labforge('expire', '30d', '--class', CLASS, ...conn);
    expect(ends.code, ends.stderr).toBe(0);
    for (const z of zones) {
      const c = connectZone(z);
      expect((await readClassSettings(c, CLASS))?.expiresAt, `zone ${z.name}`).toBeDefined();
      c.close();
    }
    expect((await labforge('expire', 'never', '--class', CLASS, ...conn)).code).toBe(0);
    const cliCreds = await labforge('credentials', '--class', CLASS, '--student', bStudent.student, '--duration', '1h', '--kubeconfig', testKubeconfigPath());
    expect(cliCreds.code, cliCreds.stderr).toBe(0);
    expect(cliCreds.stdout).toContain(readFileSync(bKubeconfig, 'utf8').match(/server: (\S+)/)![1]);
    // A bad zones file is refused with its position before anything is written.
    const bad = join(mkdtempSync(join(tmpdir(), 'labforge-zones-')), 'zones.yaml');
    writeFileSync(bad, 'zones:\n  - name: a\n    capasity: 3\n');
    const refused = await labforge('publish', `${release.labName}@v1`, '--class', CLASS, '--students', '2', '--zones', bad, '--kubeconfig', testKubeconfigPath());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}:3:5: zones[0]: unknown field "capasity"`);

    const creds = await zonedCredentials(record, connectZone, CLASS, bStudent.student, 600);
    expect(creds.zone).toBe('b');
    expect(creds.kubeconfig).toContain(readFileSync(bKubeconfig, 'utf8').match(/server: (\S+)/)![1]);
  });

  it('reports a zone whose API server stops mid-publish, and converges once it is back; teardown clears both zones', async () => {
    const before = (await readZonesRecord(home, CLASS))!.assignment;
    const l = layout(namedStateDir(ZONE_B));
    const apiserver = readState(l)!.components['kube-apiserver']!;
    // A new release makes the re-publish write to every namespace; zone b's server dies mid-way.
    const v2 = await makeRelease(home, { ...release.lab, nodes: release.lab.nodes.map((n) => (n.name === 'web' ? { ...n, env: { ...n.env, COLOR: 'blue' } } : n)) }, 'v2');
    let killed = false;
    const r = await publishZoned(home, connectZone, {
      className: CLASS,
      students,
      release: v2,
      force: true,
      concurrency: 2,
      onProgress: ({ result }) => {
        if (!killed && before[result.student] === 'b') {
          killed = true;
          process.kill(apiserver.pid, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    const failedB = r.results.filter((x) => x.zone === 'b' && x.status === 'failed');
    expect(failedB.length).toBeGreaterThan(0);
    expect(r.results.filter((x) => x.zone === 'a' && x.status === 'failed').map((x) => `${x.student}: ${x.error}`)).toEqual([]);

    const status = await zonedStatus((await readZonesRecord(home, CLASS))!, connectZone, CLASS);
    expect(status.unreachable.map((u) => u.zone)).toEqual(['b']);

    await clusterUp({ stateDir: namedStateDir(ZONE_B) });
    // A server that has just restarted may throttle (429, with Retry-After) for a while; publish
    // waits that out itself (main/kube/retry.ts), so one run converges.
    const again = await publishZoned(home, connectZone, { className: CLASS, students, release: v2, force: true });
    expect(again.results.filter((x) => x.status === 'failed').map((x) => `${x.zone} ${x.student}: ${x.error}`)).toEqual([]);
    expect(again.unreachable).toEqual([]);
    expect((await readZonesRecord(home, CLASS))!.assignment).toEqual(before);
    const rows = (await zonedStatus((await readZonesRecord(home, CLASS))!, connectZone, CLASS)).rows;
    expect(rows.map((row) => row.release)).toEqual(students.map(() => 'v2'));

    const down = await zonedTeardown(home, (await readZonesRecord(home, CLASS))!, connectZone, CLASS);
    expect(down.unreachable).toEqual([]);
    expect(down.deleted).toHaveLength(20);
    expect(await namespacesIn(testKubeconfigPath())).toEqual([]);
    expect(await namespacesIn(bKubeconfig)).toEqual([]);
    expect(await readZonesRecord(home, CLASS)).toBeUndefined();
  });
});
