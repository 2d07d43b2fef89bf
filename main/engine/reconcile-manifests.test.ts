import { describe, expect, it } from 'vitest';
import { reconcilerManifests, reconcilerName } from './reconcile-manifests';

describe('reconcilerManifests', () => {
  it('lets the reconciler carry out class time without --repair: patch (never create or delete) of workloads and VMs, bound in each class namespace', () => {
    const objects = reconcilerManifests({ className: 'c1', namespaces: ['c1-a', 'c1-b'], image: 'img', repair: false });
    const name = `${reconcilerName('c1')}-class-time`;
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name) as unknown as { rules: { resources: string[]; verbs: string[] }[] };
    expect(role.rules.flatMap((r) => r.resources.map((res) => `${res}:${r.verbs.join(',')}`))).toEqual(['deployments:patch', 'statefulsets:patch', 'virtualmachines:patch']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' && (o as unknown as { roleRef: { name: string } }).roleRef.name === name);
    expect(bindings.map((b) => b.metadata.namespace)).toEqual(['c1-a', 'c1-b']);
    // Names of their own: beside the repair binding in the same namespace, neither replaces the other.
    expect(new Set(objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'c1-a').map((b) => b.metadata.name)).size).toBe(objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'c1-a').length);
    expect(objects.some((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-repair'))).toBe(false);
  });
});
