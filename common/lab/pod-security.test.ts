import { describe, expect, it } from 'vitest';
import { parseLab } from './parse';
import { describeLabSecurity, grantedCapabilities, labSecurity, rootImageHint } from './pod-security';
import type { Lab } from './schema';

function lab(nodes: string): Lab {
  const r = parseLab(`apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: { name: t }\nnodes:\n${nodes}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.lab;
}

describe('the Pod Security level a lab needs', () => {
  it('is restricted when no node asks for more, and says so', () => {
    const s = labSecurity(lab('  - { name: a, kind: container, image: alpine:3.20 }\n  - { name: b, kind: container, image: alpine:3.20, security: { user: 2000 } }\n'));
    expect(s.level).toBe('restricted');
    expect(s.nodes.map((n) => n.reasons)).toEqual([[], []]);
    expect(describeLabSecurity(s)).toMatch(/^Pod Security "restricted"/);
  });

  it('is baseline for a root node, naming it, and root gets the runtime defaults without NET_RAW or MKNOD', () => {
    const l = lab('  - { name: web, kind: container, image: nginx:1.27, security: { user: root } }\n  - { name: c, kind: container, image: alpine:3.20 }\n');
    const s = labSecurity(l);
    expect(s.level).toBe('baseline');
    expect(describeLabSecurity(s)).toBe('Pod Security "baseline": web runs as root');
    const caps = grantedCapabilities(l.nodes[0]!);
    expect(caps).toContain('SETUID');
    expect(caps).toContain('NET_BIND_SERVICE');
    expect(caps).not.toContain('NET_RAW');
    expect(caps).not.toContain('MKNOD');
    expect(grantedCapabilities(l.nodes[1]!)).toEqual([]);
  });

  it('is privileged for a capability beyond baseline or a VM, and the highest node wins', () => {
    const s = labSecurity(lab('  - { name: r, kind: container, image: alpine:3.20, security: { user: root, capabilities: [NET_ADMIN, CHOWN] } }\n  - { name: w, kind: container, image: nginx:1.27, security: { user: root } }\n'));
    expect(s.level).toBe('privileged');
    expect(s.nodes[0]!.reasons).toEqual(['runs as root', 'adds NET_ADMIN']);
    expect(labSecurity(lab('  - { name: v, kind: vm, image: quay.io/containerdisks/debian:12 }\n')).level).toBe('privileged');
    // A capability inside baseline's list keeps baseline.
    expect(labSecurity(lab('  - { name: r, kind: container, image: alpine:3.20, security: { user: root, capabilities: [SYS_CHROOT] } }\n')).level).toBe('baseline');
  });
});

describe('the root-image hint', () => {
  it('names the node and the fix for an image that starts as root, whatever registry or tag', () => {
    for (const image of ['nginx:1.27', 'docker.io/library/postgres:16', 'postgres@sha256:' + 'a'.repeat(64), 'redis']) {
      const hint = rootImageHint(lab(`  - { name: n, kind: container, image: "${image}" }\n`).nodes[0]!);
      expect(hint, image).toContain('add `security: { user: root }` to node "n"');
    }
  });

  it('is silent once the node says who it runs as, and for other images', () => {
    expect(rootImageHint(lab('  - { name: n, kind: container, image: nginx:1.27, security: { user: 101 } }\n').nodes[0]!)).toBeUndefined();
    expect(rootImageHint(lab('  - { name: n, kind: container, image: alpine:3.20 }\n').nodes[0]!)).toBeUndefined();
    expect(rootImageHint(lab('  - { name: n, kind: container, image: myorg/nginx-tools:1 }\n').nodes[0]!)).toBeUndefined();
    expect(rootImageHint(lab('  - { name: n, kind: container, image: postgres:16, command: [sleep, infinity] }\n').nodes[0]!)).toBeUndefined();
  });
});
