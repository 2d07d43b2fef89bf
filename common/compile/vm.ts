/**
 * VM nodes → a KubeVirt VirtualMachine (kubevirt.io/v1): containerDisk boot image, cpu and
 * memory, cloud-init user data for files, setup and volumes, and a graphics device for VNC.
 */
// KubeVirt's own API types, type-only: the compiled VM is checked against them by `tsc`, and
// nothing of the package reaches the runtime (it is a devDependency).
import type { V1Disk, V1VirtualMachine, V1Volume } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { stringify } from 'yaml';
import { parseQuantity } from '../lab/quantity';
import type { LabNode } from '../lab/schema';
import { vmResources } from './resources';
import { shortHash } from './names';
import { podVolumeName } from './workloads';
import type { KubeObject } from './types';

type Meta = (name: string) => KubeObject['metadata'];

/**
 * The serial of a lab volume's disk. virtio-blk keeps only 20 characters of a serial, and the
 * guest finds the disk as /dev/disk/by-id/virtio-<those 20>; longer names keep a readable start
 * and end in a hash so two long names never share a serial.
 */
function diskSerial(volume: string): string {
  return volume.length <= 20 ? volume : `${volume.slice(0, 11).replace(/-+$/, '')}-${shortHash(volume)}`;
}

/** cloud-init user data; disks of lab volumes are found by their serial, which we set. */
export function cloudInit(node: LabNode): string {
  const config: Record<string, unknown> = { hostname: node.name, fqdn: node.name };
  if (node.files?.length) {
    config['write_files'] = node.files.map((f) => ({
      path: f.path,
      content: f.content,
      permissions: `0${(f.mode ?? 0o644).toString(8)}`,
    }));
  }
  if (node.volumes?.length) {
    const dev = (volume: string) => `/dev/disk/by-id/virtio-${diskSerial(volume)}`;
    config['fs_setup'] = node.volumes.map((m) => ({ device: dev(m.volume), filesystem: 'ext4', label: m.volume.slice(0, 16), overwrite: false }));
    config['mounts'] = node.volumes.map((m) => [dev(m.volume), m.mountPath, 'ext4', m.readOnly ? 'defaults,ro,nofail' : 'defaults,nofail', '0', '2']);
  }
  if (node.setup !== undefined) config['runcmd'] = [['/bin/sh', '-c', node.setup]];
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}

export function virtualMachine(node: LabNode, meta: Meta, podLabels: Record<string, string>): KubeObject {
  const res = vmResources(node);
  const disks: V1Disk[] = [
    { name: 'rootdisk', disk: { bus: 'virtio' } },
    { name: 'cloudinit', disk: { bus: 'virtio' } },
  ];
  const volumes: V1Volume[] = [
    { name: 'rootdisk', containerDisk: { image: node.image } },
    { name: 'cloudinit', cloudInitNoCloud: { userData: cloudInit(node) } },
  ];
  if (node.resources?.disk !== undefined) {
    disks.push({ name: 'scratch', disk: { bus: 'virtio' }, serial: 'scratch' });
    volumes.push({ name: 'scratch', emptyDisk: { capacity: node.resources.disk } });
  }
  for (const m of node.volumes ?? []) {
    disks.push({ name: podVolumeName(m.volume), disk: { bus: 'virtio' }, serial: diskSerial(m.volume) });
    volumes.push({ name: podVolumeName(m.volume), persistentVolumeClaim: { claimName: m.volume } });
  }
  const cores = Math.max(1, Math.ceil(parseQuantity(res.limits.cpu)!));
  const vm = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: meta(node.name),
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: podLabels },
        spec: {
          hostname: node.name,
          domain: {
            cpu: { cores },
            resources: { requests: res.requests, limits: res.limits },
            devices: {
              // VNC: KubeVirt serves the console of the graphics device.
              autoattachGraphicsDevice: true,
              disks,
              interfaces: [{ name: 'default', masquerade: {}, ...(node.ports?.length ? { ports: node.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) } : {}) }],
            },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes,
        },
      },
    },
  } satisfies V1VirtualMachine & KubeObject;
  return vm;
}
