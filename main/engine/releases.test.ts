import { describe, expect, it } from 'vitest';
import type { Lab } from '../../common/lab';
import { diffLabs, digestOf, formatChange, pinImage, releaseName } from './releases';

const D = `sha256:${'ab'.repeat(32)}`;

describe('image pinning', () => {
  it('reads the digest from the imageID kubelets report', () => {
    expect(digestOf(`docker.io/library/nginx@${D}`)).toBe(D);
    expect(digestOf(`docker-pullable://nginx@${D}`)).toBe(D);
    expect(digestOf('')).toBeUndefined();
    expect(digestOf(undefined)).toBeUndefined();
  });

  it('pins a tag to a digest, replacing an older digest', () => {
    expect(pinImage('nginx:1.27', D)).toBe(`nginx:1.27@${D}`);
    expect(pinImage(`nginx:1.27@sha256:${'cd'.repeat(32)}`, D)).toBe(`nginx:1.27@${D}`);
  });

  it('names releases per lab and tag', () => {
    expect(releaseName('web-db', 'v1')).toBe('release-web-db-v1');
  });
});

describe('diffLabs', () => {
  const base: Lab = {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: 'x' },
    networks: [{ name: 'a' }, { name: 'b' }],
    volumes: [],
    exposures: [],
    nodes: [
      { name: 'n1', kind: 'container', image: 'nginx:1', networks: ['a'] },
      { name: 'n2', kind: 'container', image: 'alpine', networks: ['b'] },
    ],
    layout: { nodes: { n1: { x: 0, y: 0 } } },
  };

  it('matches by name, so reordering and layout are not changes', () => {
    const moved = structuredClone(base);
    moved.nodes.reverse();
    moved.networks.reverse();
    moved.layout = { nodes: { n1: { x: 50, y: 9 } } };
    expect(diffLabs(base, moved)).toEqual([]);
  });

  it('lists additions, removals and changed fields', () => {
    const next = structuredClone(base);
    next.nodes[0]!.image = 'nginx:2';
    next.nodes.pop();
    next.networks.push({ name: 'c' });
    expect(diffLabs(base, next).map(formatChange)).toEqual([
      '+ networks.c: name: c',
      '~ nodes.n1.image: nginx:1 → nginx:2',
      '- nodes.n2: name: n2, kind: container, image: alpine, networks: b',
    ]);
  });
});
