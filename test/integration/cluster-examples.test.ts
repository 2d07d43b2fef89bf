// Every compiled example lab applies to the real API server with server-side apply, for the
// dev namespace and for a student (whose namespace adds RBAC), including the KubeVirt VM.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileLab } from '../../common/compile';
import { applyAll } from '../../main/kube/apply';
import { NAMESPACE, VIRTUAL_MACHINE } from '../../main/kube/kinds';
import { adminCluster, exampleLab, ROOT } from './helpers/engine';
import { randomId } from './helpers/kube';

const cluster = adminCluster();
const created: string[] = [];

afterAll(async () => {
  for (const name of created) await cluster.delete(NAMESPACE, name).catch(() => undefined);
  cluster.close();
});

describe('server-side apply of every example', () => {
  for (const file of readdirSync(join(ROOT, 'resources/examples'))) {
    it(`${file} applies, and every object reads back as applied`, async () => {
      const lab = exampleLab(file);
      for (const target of [{ namespace: `ex-${randomId()}` }, { namespace: `ex-${randomId()}`, class: 'c', student: 's1', release: 'v1' }]) {
        created.push(target.namespace);
        const objects = compileLab(lab, target);
        const applied = await applyAll(cluster, objects);
        expect(applied).toHaveLength(objects.length);
        for (const [i, o] of objects.entries()) {
          const back = applied[i] as { kind?: string; metadata?: { name?: string; labels?: Record<string, string>; managedFields?: { manager?: string }[] } };
          expect(back.kind).toBe(o.kind);
          expect(back.metadata?.name).toBe(o.metadata.name);
          expect(back.metadata?.labels).toMatchObject(o.metadata.labels ?? {});
          expect(back.metadata?.managedFields?.map((m) => m.manager)).toContain('labforge');
        }
        if (lab.nodes.some((n) => n.kind === 'vm')) {
          const vm = await cluster.read(VIRTUAL_MACHINE, 'server', target.namespace);
          expect((vm?.['spec'] as { runStrategy?: string } | undefined)?.runStrategy).toBe('Always');
        }
      }
    });
  }
});
