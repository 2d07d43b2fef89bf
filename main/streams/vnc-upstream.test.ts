import { describe, expect, it } from 'vitest';
import { PortForwardDecoder, routePath } from './vnc-upstream';
import type { IPod } from '../kube/kinds';
import { vncPort } from './vnc-target';

const frame = (channel: number, ...bytes: number[]) => Buffer.from([channel, ...bytes]);

describe('port-forward framing', () => {
  it('strips the port header of each channel once and keeps data apart from errors', () => {
    const d = new PortForwardDecoder();
    // 5900 little-endian is 0x0c 0x17.
    expect(d.decode(frame(0, 0x0c, 0x17))).toBeNull();
    expect(d.decode(frame(1, 0x0c, 0x17))).toBeNull();
    expect(d.decode(frame(0, 0x0c, 0x17))?.toString('hex')).toBe('0c17');
    expect(d.decode(frame(0, ...Buffer.from('RFB 003.008\n')))?.toString()).toBe('RFB 003.008\n');
    expect(d.decode(frame(1, ...Buffer.from('connection refused')))).toBeNull();
    expect(d.error).toBe('connection refused');
  });

  it('takes payload that shares a frame with the port header', () => {
    const d = new PortForwardDecoder();
    expect(d.decode(frame(0, 0x0c, 0x17, 0x41, 0x42))?.toString()).toBe('AB');
  });

  it('ignores empty frames and unknown channels, and encodes on channel 0', () => {
    const d = new PortForwardDecoder();
    expect(d.decode(Buffer.alloc(0))).toBeNull();
    expect(d.decode(frame(3, 1, 2, 3))).toBeNull();
    expect(PortForwardDecoder.encode(Buffer.from([7, 8])).toString('hex')).toBe('000708');
  });
});

describe('routes', () => {
  it('asks KubeVirt to preserve an open session, and forwards exactly one pod port', () => {
    expect(routePath({ kind: 'vm', namespace: 'student-07', name: 'server' })).toEqual({
      path: '/apis/subresources.kubevirt.io/v1/namespaces/student-07/virtualmachineinstances/server/vnc?preserveSession=true',
      protocol: 'plain.kubevirt.io',
    });
    expect(routePath({ kind: 'pod', namespace: 'dev', name: 'ws-1', port: 5900 })).toEqual({
      path: '/api/v1/namespaces/dev/pods/ws-1/portforward?ports=5900',
      protocol: 'v4.channel.k8s.io',
    });
  });
});

describe('a pod declares its VNC port', () => {
  const pod = (ports: { containerPort: number; name?: string }[], desktop = false): IPod => ({
    apiVersion: 'v1' as const,
    kind: 'Pod' as const,
    metadata: { name: 'p', ...(desktop ? { labels: { 'labforge.dev/desktop': 'true' } } : {}) },
    spec: { containers: [{ name: 'main', image: 'x', ports }] },
  });
  it('by a port named vnc, by 5900, or by being a desktop node', () => {
    expect(vncPort(pod([{ containerPort: 80 }, { containerPort: 5901, name: 'vnc' }]))).toBe(5901);
    expect(vncPort(pod([{ containerPort: 5900 }]))).toBe(5900);
    expect(vncPort(pod([], true))).toBe(5900);
    expect(vncPort(pod([{ containerPort: 80 }]))).toBeNull();
  });
});
