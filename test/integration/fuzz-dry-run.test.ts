// Property: every random valid lab compiles to objects the API server accepts. Labs come from a
// seeded generator (valid by construction, and checked to be), are compiled for the dev
// namespace and for a student of a class, and every object goes through a server-side dry-run
// on the local control plane. Two rules the dry-run cannot see, because they bite only when a
// controller or KubeVirt acts, are checked on the objects directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLab, type KubeObject } from '../../common/compile';
import { MAX_STATEFULSET_NAME } from '../../common/compile/admission';
import { MAX_CLOUD_INIT_BYTES } from '../../common/compile/kubevirt-limits';
import { parseLab, serializeLab } from '../../common/lab';
import { NAMESPACE } from '../../main/kube/kinds';
import { dryRunAll } from '../helpers/dry-run';
import { randomValidLab, seededRng } from '../helpers/lab-fuzz';
import { adminCluster } from './helpers/engine';
import { randomId } from './helpers/kube';

const SEED = 4242;
const LABS = 40;

const cluster = adminCluster();
const namespace = `prop-${randomId()}`;

beforeAll(async () => {
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'labforge.dev/test': 'integration' } } });
});

afterAll(async () => {
  await cluster.delete(NAMESPACE, namespace).catch(() => undefined);
  cluster.close();
});

function userData(vm: KubeObject): string {
  const volumes = (vm['spec'] as { template: { spec: { volumes: { cloudInitNoCloud?: { userData: string } }[] } } }).template.spec.volumes;
  return volumes.find((v) => v.cloudInitNoCloud)!.cloudInitNoCloud!.userData;
}

describe(`${LABS} random valid labs (seed ${SEED})`, () => {
  const rng = seededRng(SEED);
  const labs = Array.from({ length: LABS }, () => randomValidLab(rng));
  const batches: { source: string; objects: KubeObject[] }[] = [];

  it('are valid labs, and round-trip through the file format', () => {
    for (const [i, input] of labs.entries()) {
      const r = parseLab(serializeLab(input));
      expect(r.ok ? [] : r.issues, `lab ${i}`).toEqual([]);
      if (!r.ok) continue;
      batches.push({ source: `lab ${i} (dev)`, objects: compileLab(r.lab, { namespace }) });
      batches.push({
        source: `lab ${i} (student)`,
        objects: compileLab(r.lab, { namespace, class: 'prop-class', student: `Student.${i}@uni.example`, release: `v${i}` }),
      });
    }
    expect(batches).toHaveLength(LABS * 2);
  });

  it('cover what compile emits: every workload kind, exposures, volumes, files and setup', () => {
    const kinds = new Set(batches.flatMap((b) => b.objects.map((o) => o.kind)));
    for (const kind of ['Deployment', 'StatefulSet', 'VirtualMachine', 'Service', 'ConfigMap', 'Ingress', 'PersistentVolumeClaim', 'NetworkPolicy', 'ResourceQuota', 'LimitRange']) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('keep StatefulSet names within the revision label and VM cloud-init within KubeVirt\'s limit', () => {
    const objects = batches.flatMap((b) => b.objects);
    for (const o of objects.filter((x) => x.kind === 'StatefulSet')) expect(o.metadata.name.length).toBeLessThanOrEqual(MAX_STATEFULSET_NAME);
    for (const o of objects.filter((x) => x.kind === 'VirtualMachine')) expect(new TextEncoder().encode(userData(o)).length).toBeLessThanOrEqual(MAX_CLOUD_INIT_BYTES);
  });

  it('the dry-run itself refuses what the API server refuses (so a pass means something)', async () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web', namespace }, spec: { clusterIP: 'None', ports: [{ name: 'a--b', port: 80 }] } };
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'bad-path', namespace },
      spec: { rules: [{ host: 'x.example', http: { paths: [{ path: '/a//b', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    };
    const { failures } = await dryRunAll(cluster, [{ source: 'control', objects: [service, ingress] }]);
    expect(failures.map((f) => f.object).sort()).toEqual(['Ingress/bad-path', 'Service/1web']);
  });

  it('compile to objects that pass the API server\'s validation (server-side dry-run)', async () => {
    const { sent, failures } = await dryRunAll(cluster, batches, 12);
    console.log(`property: ${sent} distinct objects from ${LABS} labs dry-run`);
    expect(sent).toBeGreaterThan(LABS * 5);
    expect(failures).toEqual([]);
  }, 300_000);
});
