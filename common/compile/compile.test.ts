import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/parse';
import type { Lab } from '../lab/schema';
import { compileLab, exposureHost, objectsToYaml, type KubeObject } from './index';
import { STUDENT_RULES, studentClusterRole } from './rbac';
import { validateObject } from './openapi';

const examples = join(import.meta.dirname, '../../resources/examples');

function load(file: string): Lab {
  const r = parseLab(readFileSync(join(examples, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.issues)}`);
  return r.lab;
}

const byKind = (objs: KubeObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: KubeObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o as KubeObject & { spec: any };
};

const student = { namespace: 'cs101-alice-1234abcd', class: 'cs101', student: 'alice', release: 'v1' };

describe('every example', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  it('has the four promised examples', () => {
    expect(files.sort()).toEqual(['desktop.yaml', 'routing-lab.yaml', 'vm-lab.yaml', 'web-db.yaml']);
  });

  for (const file of files) {
    it(`${file}: compiles to objects that validate against the Kubernetes OpenAPI schemas`, () => {
      const objs = compileLab(load(file), student);
      let checked = 0;
      for (const o of objs) {
        if (o.apiVersion === 'kubevirt.io/v1') continue; // a CRD; dry-run against the cluster covers it
        expect(validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
        checked++;
      }
      expect(checked).toBeGreaterThan(8);
    });

    it(`${file}: is deterministic and labels everything`, () => {
      const a = objectsToYaml(compileLab(load(file), student));
      const b = objectsToYaml(compileLab(load(file), student));
      expect(a).toBe(b);
      for (const o of compileLab(load(file), student)) {
        expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('labforge');
        expect(o.metadata.labels?.['labforge.dev/class']).toBe('cs101');
        expect(o.metadata.labels?.['labforge.dev/student']).toBe('alice');
        expect(o.metadata.labels?.['labforge.dev/release']).toBe('v1');
        if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(student.namespace);
      }
    });
  }
});

describe('network policies (routing-lab)', () => {
  const objs = compileLab(load('routing-lab.yaml'), student);
  const policies = byKind(objs, 'NetworkPolicy');

  it('denies all ingress and egress by default, except DNS egress to kube-dns in kube-system', () => {
    const deny = named(objs, 'NetworkPolicy', 'default-deny');
    expect(deny.spec.podSelector).toEqual({});
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('makes one segment per lab network, allowing only pods of that network', () => {
    for (const net of ['net-a', 'net-b', 'net-c']) {
      const p = named(objs, 'NetworkPolicy', `net-${net}`);
      const members = { matchLabels: { [`network.labforge.dev/${net}`]: 'true' } };
      expect(p.spec.podSelector).toEqual(members);
      expect(p.spec.ingress).toEqual([{ from: [{ podSelector: members }] }]);
      expect(p.spec.egress).toEqual([{ to: [{ podSelector: members }] }]);
    }
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['default-deny', 'net-net-a', 'net-net-b', 'net-net-c']);
  });

  it('labels each pod with exactly its networks, so reachability follows the lab graph', () => {
    const netsOf = (node: string) =>
      Object.keys((named(objs, 'Deployment', node).spec.template.metadata.labels as Record<string, string>))
        .filter((k) => k.startsWith('network.labforge.dev/'))
        .sort();
    expect(netsOf('router')).toEqual(['network.labforge.dev/net-a', 'network.labforge.dev/net-b']);
    expect(netsOf('client-a')).toEqual(['network.labforge.dev/net-a']);
    expect(netsOf('client-c')).toEqual(['network.labforge.dev/net-c']);
  });

  it('simulated reachability: router reaches a and b, clients on different networks do not meet', () => {
    const labelsOf = (node: string) => named(objs, 'Deployment', node).spec.template.metadata.labels as Record<string, string>;
    const matches = (sel: { matchLabels?: Record<string, string> }, labels: Record<string, string>) =>
      Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    // Same-namespace NetworkPolicy semantics: traffic A→B needs an egress rule selecting A that
    // allows B, and an ingress rule selecting B that allows A.
    const allowed = (from: string, to: string) => {
      const a = labelsOf(from);
      const b = labelsOf(to);
      const egress = policies.some((p: any) => matches(p.spec.podSelector, a) && (p.spec.egress ?? []).some((r: any) => (r.to ?? []).some((t: any) => t.podSelector && !t.namespaceSelector && matches(t.podSelector, b))));
      const ingress = policies.some((p: any) => matches(p.spec.podSelector, b) && (p.spec.ingress ?? []).some((r: any) => (r.from ?? []).some((f: any) => f.podSelector && !f.namespaceSelector && matches(f.podSelector, a))));
      return egress && ingress;
    };
    expect(allowed('router', 'client-a')).toBe(true);
    expect(allowed('client-b', 'router')).toBe(true);
    expect(allowed('client-a', 'client-b')).toBe(false);
    expect(allowed('client-c', 'router')).toBe(false);
  });

  it('opens exposed ports to the ingress controller namespace only', () => {
    const web = compileLab(load('web-db.yaml'), student);
    const p = named(web, 'NetworkPolicy', 'allow-ingress-web');
    expect(p.spec.podSelector).toEqual({ matchLabels: { 'labforge.dev/node': 'web' } });
    expect(p.spec.policyTypes).toEqual(['Ingress']);
    expect(p.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: 80 }],
      },
    ]);
  });
});

describe('student RBAC', () => {
  const objs = compileLab(load('web-db.yaml'), student);

  it('binds the student ServiceAccount to the shared ClusterRole with a RoleBinding in its own namespace only', () => {
    const sa = named(objs, 'ServiceAccount', 'student');
    expect(sa.metadata.namespace).toBe(student.namespace);
    const rb = named(objs, 'RoleBinding', 'labforge-student-access') as any;
    expect(rb.metadata.namespace).toBe(student.namespace);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'labforge-student' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'student', namespace: student.namespace }]);
    // The ClusterRole is written once per publish, never per namespace; nothing binds it cluster-wide.
    expect(byKind(objs, 'Role')).toHaveLength(0);
    expect(byKind(objs, 'ClusterRole')).toHaveLength(0);
    expect(byKind(objs, 'ClusterRoleBinding')).toHaveLength(0);
  });

  it('the shared ClusterRole carries the student rules and no lab, class or student label (no teardown or prune selects it)', () => {
    const role = studentClusterRole() as any;
    expect(role.kind).toBe('ClusterRole');
    expect(role.metadata.name).toBe('labforge-student');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual(STUDENT_RULES);
    expect(role.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'student-access' });
  });

  const can = (group: string, resource: string, verb: string) =>
    STUDENT_RULES.some((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

  it('can look at pods and logs, exec and port-forward', () => {
    for (const verb of ['get', 'list', 'watch']) expect(can('', 'pods', verb)).toBe(true);
    expect(can('', 'pods/log', 'get')).toBe(true);
    expect(can('', 'pods/exec', 'create')).toBe(true);
    expect(can('', 'pods/exec', 'get')).toBe(true);
    expect(can('', 'pods/portforward', 'create')).toBe(true);
    expect(can('subresources.kubevirt.io', 'virtualmachineinstances/vnc', 'get')).toBe(true);
  });

  it('cannot edit RBAC, quotas, limits or policies, nor read secrets or create workloads', () => {
    const rules = STUDENT_RULES as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    expect(rules.some((r) => r.apiGroups.includes('rbac.authorization.k8s.io'))).toBe(false);
    expect(rules.some((r) => r.resources.includes('secrets'))).toBe(false);
    expect(rules.some((r) => r.resources.includes('*') || r.verbs.includes('*') || r.apiGroups.includes('*'))).toBe(false);
    for (const verb of ['create', 'update', 'patch', 'delete']) {
      expect(can('', 'resourcequotas', verb)).toBe(false);
      expect(can('', 'limitranges', verb)).toBe(false);
      expect(can('networking.k8s.io', 'networkpolicies', verb)).toBe(false);
      expect(can('apps', 'deployments', verb)).toBe(false);
    }
    expect(can('', 'pods', 'create')).toBe(false);
    expect(can('', 'namespaces', 'get')).toBe(false);
  });

  it('lets a student create no stored object that the namespace quota does not count (count/<resource>)', () => {
    // Subresources (exec, port-forward, VNC) are connections, not objects; everything else a
    // student may create stays in etcd, so the quota must bound how many.
    const creatable = (STUDENT_RULES as { apiGroups: string[]; resources: string[]; verbs: string[] }[])
      .filter((r) => r.verbs.includes('create'))
      .flatMap((r) => r.resources.filter((x) => !x.includes('/')).map((x) => (r.apiGroups[0] ? `${x}.${r.apiGroups[0]}` : x)));
    const quota = named(compileLab(load('web-db.yaml'), { namespace: 'c-s', class: 'c', student: 's' }), 'ResourceQuota', 'labforge-quota').spec.hard;
    expect(creatable.filter((x) => quota[`count/${x}`] === undefined)).toEqual([]);
    // What the students had and used to fill etcd: ConfigMaps they could create but not delete.
    expect(can('', 'configmaps', 'create')).toBe(false);
  });

  it('is absent from the instructor dev namespace', () => {
    const dev = compileLab(load('web-db.yaml'), { namespace: 'web-db-dev' });
    expect(byKind(dev, 'Role')).toHaveLength(0);
    expect(byKind(dev, 'RoleBinding')).toHaveLength(0);
    expect(byKind(dev, 'ServiceAccount')).toHaveLength(0);
    expect(named(dev, 'Namespace', 'web-db-dev').metadata.labels?.['labforge.dev/role']).toBe('dev');
  });
});

describe('workloads and storage', () => {
  const objs = compileLab(load('web-db.yaml'), { namespace: 'web-db-dev' });

  it('uses a StatefulSet for a node with volumes, a Deployment otherwise', () => {
    expect(named(objs, 'StatefulSet', 'db').spec.template.spec.volumes).toContainEqual({ name: 'vol-pgdata', persistentVolumeClaim: { claimName: 'pgdata' } });
    expect(named(objs, 'Deployment', 'web').spec.strategy).toEqual({ type: 'Recreate' });
    expect(named(objs, 'PersistentVolumeClaim', 'pgdata').spec.resources).toEqual({ requests: { storage: '2Gi' } });
  });

  it('gives every node a headless Service named after it', () => {
    const svc = named(objs, 'Service', 'db');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toEqual({ 'labforge.dev/lab': 'web-db', 'labforge.dev/node': 'db' });
    expect(svc.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
  });

  it('places files and the setup script from a ConfigMap', () => {
    const cm = named(objs, 'ConfigMap', 'web-files') as any;
    expect(cm.data['0-index.html']).toContain('Hello from the web-db lab');
    const web = named(objs, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(web.volumeMounts).toContainEqual({ name: 'files', mountPath: '/usr/share/nginx/html/index.html', subPath: '0-index.html' });
    const db = named(objs, 'StatefulSet', 'db').spec.template.spec.containers[0];
    expect(db.lifecycle.postStart.exec.command).toEqual(['/bin/sh', '/opt/labforge/setup.sh']);
  });

  it('sizes the quota as the lab total plus its largest node (the headroom rule)', () => {
    const q = named(objs, 'ResourceQuota', 'labforge-quota').spec.hard;
    // web 100m/64Mi req, 500m/256Mi lim; db 250m/256Mi req, 1/512Mi lim.
    expect(q['requests.cpu']).toBe('600m'); // 350m + 250m
    expect(q['requests.memory']).toBe('576Mi'); // 320Mi + 256Mi
    expect(q['limits.cpu']).toBe('2500m'); // 1500m + 1
    expect(q['limits.memory']).toBe('1280Mi'); // 768Mi + 512Mi
    expect(q.pods).toBe('3');
    expect(q['requests.storage']).toBe('2Gi');
  });

  it('routes the exposure to a stable per-namespace host', () => {
    const ing = named(objs, 'Ingress', 'web-80');
    expect(ing.spec.rules[0].host).toBe('web-80.web-db-dev.labs.localhost');
    expect(exposureHost('web', 80, 'ns1', 'example.edu')).toBe('web-80.ns1.example.edu');
    expect(ing.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'web', port: { number: 80 } } });
  });
});

describe('pod security', () => {
  const parse = (nodes: string) => {
    const r = parseLab(`apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: { name: t }\nnodes:\n${nodes}`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.lab;
  };
  const nsLevel = (objs: KubeObject[]) => (objs.find((o) => o.kind === 'Namespace')!.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce'];
  const pod = (objs: KubeObject[], name: string) => named(objs, 'Deployment', name).spec.template.spec;

  it('enforces restricted by default and runs the node as user 1000 with no capability, seccomp and no token', () => {
    const objs = compileLab(parse('  - { name: a, kind: container, image: alpine:3.20 }\n'), student);
    expect(nsLevel(objs)).toBe('restricted');
    const spec = pod(objs, 'a');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.securityContext.sysctls.map((s: { name: string }) => s.name)).toEqual(['net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']);
    expect(spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBeUndefined();
  });

  it('labels the namespace with the least level that admits every node', () => {
    expect(nsLevel(compileLab(parse('  - { name: w, kind: container, image: nginx:1.27, security: { user: root } }\n'), student))).toBe('baseline');
    const objs = compileLab(parse('  - { name: r, kind: container, image: alpine:3.20, security: { user: root, capabilities: [NET_ADMIN] } }\n'), student);
    expect(nsLevel(objs)).toBe('privileged');
    const c = pod(objs, 'r').containers[0];
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(c.securityContext.capabilities.add).toContain('NET_ADMIN');
    expect(c.securityContext.capabilities.add).not.toContain('NET_RAW');
    expect(pod(objs, 'r').securityContext).toMatchObject({ runAsUser: 0, runAsGroup: 0 });
    expect(pod(objs, 'r').securityContext.runAsNonRoot).toBeUndefined();
  });

  it('mounts the student\'s own token only when the node asks, and the default account in dev', () => {
    const l = parse('  - { name: k, kind: container, image: alpine:3.20, security: { serviceAccountToken: true } }\n');
    expect(pod(compileLab(l, student), 'k')).toMatchObject({ automountServiceAccountToken: true, serviceAccountName: 'student' });
    const dev = pod(compileLab(l, { namespace: 't-dev' }), 'k');
    expect(dev.automountServiceAccountToken).toBe(true);
    expect(dev.serviceAccountName).toBeUndefined();
  });

  it('gives a node that is not root a writable home (HOME, an emptyDir), unless the lab mounts one or sets HOME', () => {
    const objs = compileLab(parse([
      '  - { name: a, kind: container, image: alpine:3.20 }',
      '  - { name: r, kind: container, image: alpine:3.20, security: { user: root } }',
      '  - { name: e, kind: container, image: alpine:3.20, env: { HOME: /work } }',
      '  - { name: f, kind: container, image: alpine:3.20, files: [{ path: /home/lab/notes.txt, content: hi }] }',
    ].join('\n') + '\n'), student);
    const homeOf = (name: string) => {
      const spec = pod(objs, name);
      const c = spec.containers[0];
      return {
        env: (c.env ?? []).find((e: { name: string }) => e.name === 'HOME')?.value,
        mount: (c.volumeMounts ?? []).find((m: { name: string }) => m.name === 'home')?.mountPath,
        volume: (spec.volumes ?? []).find((v: { name: string }) => v.name === 'home'),
      };
    };
    expect(homeOf('a')).toEqual({ env: '/home/lab', mount: '/home/lab', volume: { name: 'home', emptyDir: {} } });
    expect(homeOf('r')).toEqual({ env: undefined, mount: undefined, volume: undefined });
    expect(homeOf('e')).toMatchObject({ env: '/work', mount: '/home/lab' });
    expect(homeOf('f')).toMatchObject({ env: '/home/lab', mount: '/home/lab' });
  });

  it('bounds every container\'s scratch space: 1Gi unless resources.disk says otherwise', () => {
    const objs = compileLab(parse('  - { name: a, kind: container, image: alpine:3.20 }\n  - { name: b, kind: container, image: alpine:3.20, resources: { disk: 3Gi } }\n'), student);
    expect(pod(objs, 'a').containers[0].resources).toMatchObject({ requests: { 'ephemeral-storage': '32Mi' }, limits: { 'ephemeral-storage': '1Gi' } });
    expect(pod(objs, 'b').containers[0].resources.limits['ephemeral-storage']).toBe('3Gi');
  });
});

describe('VMs', () => {
  const objs = compileLab(load('vm-lab.yaml'), { namespace: 'vm-lab-dev' });
  const vm = named(objs, 'VirtualMachine', 'server');

  it('boots the containerDisk with cloud-init and VNC on', () => {
    const spec = vm.spec.template.spec;
    expect(vm.apiVersion).toBe('kubevirt.io/v1');
    expect(spec.volumes[0]).toEqual({ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } });
    expect(spec.domain.devices.autoattachGraphicsDevice).toBe(true);
    expect(spec.domain.resources.requests).toEqual({ cpu: '1', memory: '2Gi' });
    const userData: string = spec.volumes[1].cloudInitNoCloud.userData;
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    expect(userData).toContain('path: /etc/motd');
    expect(userData).toContain('dnf install -y nginx');
    expect(spec.volumes).toContainEqual({ name: 'scratch', emptyDisk: { capacity: '10Gi' } });
  });

  it('counts the KubeVirt overhead in the quota', () => {
    const q = named(objs, 'ResourceQuota', 'labforge-quota').spec.hard;
    // server: 1 cpu + 100m, 2Gi + 320Mi; web: defaults 100m/128Mi. Largest again: 1100m/2368Mi.
    expect(q['requests.cpu']).toBe('2300m');
    expect(q['requests.memory']).toBe(`${2048 + 320 + 128 + 2048 + 320}Mi`);
  });
});

describe('the OpenAPI check itself', () => {
  it('rejects an object that breaks the schema', () => {
    const bad: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 3 }] } } } };
    expect(validateObject(bad).join('\n')).toMatch(/image must be string/);
  });
});

describe('a suspended lab (class time)', () => {
  const suspended = { ...student, suspended: { at: '2026-12-07T18:00:00.000Z', by: 'idle' as const } };

  it('runs nothing: workloads at zero replicas and VMs halted, recorded on the namespace', () => {
    const web = compileLab(load('web-db.yaml'), suspended);
    expect(named(web, 'Deployment', 'web').spec.replicas).toBe(0);
    expect(named(web, 'StatefulSet', 'db').spec.replicas).toBe(0);
    expect(named(web, 'Namespace', suspended.namespace).metadata.annotations).toMatchObject({ 'labforge.dev/suspended-at': '2026-12-07T18:00:00.000Z', 'labforge.dev/suspended-by': 'idle' });
    const vm = compileLab(load('vm-lab.yaml'), suspended);
    for (const v of byKind(vm, 'VirtualMachine')) expect((v as KubeObject & { spec: any }).spec.runStrategy).toBe('Halted');
  });

  it('keeps everything else exactly as the running lab has it (volumes, policies, quota, links)', () => {
    for (const file of ['web-db.yaml', 'vm-lab.yaml', 'routing-lab.yaml']) {
      const strip = (objs: KubeObject[]) => objs.filter((o) => !['Deployment', 'StatefulSet', 'VirtualMachine', 'Namespace'].includes(o.kind));
      expect(strip(compileLab(load(file), suspended))).toEqual(strip(compileLab(load(file), student)));
      // And the suspended objects are valid Kubernetes objects.
      for (const o of compileLab(load(file), suspended)) expect(validateObject(o), `${file} ${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });
});
