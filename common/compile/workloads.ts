/**
 * Container nodes → a Deployment (or a StatefulSet when the node mounts persistent volumes),
 * a headless Service per node, and a ConfigMap for its files and setup script.
 */
import { NODE_KIND } from '../lab/node-kinds';
import { DEFAULT_USER, grantedCapabilities } from '../lab/pod-security';
import type { Lab, LabNode } from '../lab/schema';
import { LABEL, networkLabel } from './labels';
import { containerResources } from './resources';
import { STUDENT_SERVICE_ACCOUNT } from './rbac';
import type { KubeObject } from './types';

export const VNC_PORT = 5900;
const SETUP_MOUNT = '/opt/labforge';
const SETUP_KEY = 'setup.sh';

type Meta = (name: string, extra?: { labels?: Record<string, string>; annotations?: Record<string, string> }) => KubeObject['metadata'];

const filesConfigMapName = (node: string) => `${node}-files`;

/** ConfigMap keys must be [-._a-zA-Z0-9]; index + basename keeps them unique and readable. */
function fileKey(index: number, path: string): string {
  const base = path.split('/').pop()!.replace(/[^-._a-zA-Z0-9]/g, '_');
  return `${index}-${base}`.slice(0, 253);
}

/** The labels every pod of a node carries: identity plus one label per attached network. */
export function podLabels(node: LabNode, identity: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = { ...identity, [LABEL.node]: node.name };
  for (const net of node.networks ?? []) labels[networkLabel(net)] = 'true';
  if (node.desktop) labels[LABEL.desktop] = 'true';
  return labels;
}

export function nodeConfigMap(node: LabNode, meta: Meta): KubeObject | undefined {
  if (!node.files?.length && node.setup === undefined) return undefined;
  const data: Record<string, string> = {};
  node.files?.forEach((f, i) => (data[fileKey(i, f.path)] = f.content));
  if (node.setup !== undefined && node.kind === 'container') data[SETUP_KEY] = node.setup;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(filesConfigMapName(node.name)), data };
}

/** Where the setup script is mounted in a container node. */
export const SETUP_PATH = `${SETUP_MOUNT}/${SETUP_KEY}`;

/** The Service's ports: the node's own, in order (unnamed ones named `<proto>-<port>`), then VNC on desktops. */
export function servicePorts(node: LabNode): { name: string; port: number; targetPort: number; protocol: string }[] {
  const ports = [...(node.ports ?? [])].map((p) => ({
    name: p.name ?? `${(p.protocol ?? 'TCP').toLowerCase()}-${p.port}`,
    port: p.port,
    targetPort: p.port,
    protocol: p.protocol ?? 'TCP',
  }));
  if (node.desktop) ports.push({ name: 'vnc', port: VNC_PORT, targetPort: VNC_PORT, protocol: 'TCP' });
  return ports;
}

/** The pod volume that mounts a lab volume: a DNS label, so lab volume names are 4 shorter. */
export const podVolumeName = (volume: string) => `vol-${volume}`;

export function nodeService(node: LabNode, meta: Meta, selector: Record<string, string>): KubeObject {
  const ports = servicePorts(node);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(node.name),
    spec: {
      // Headless: the lab name resolves to the pod's own IP, so every port works between
      // nodes (ping, ssh, anything a lab teaches), not just the declared ones.
      clusterIP: 'None',
      // Names resolve even while a node's setup is still running or failing.
      publishNotReadyAddresses: true,
      selector,
      ports,
    },
  };
}

/** Where a node that is not root keeps its files (HOME). */
export const LAB_HOME = '/home/lab';

/**
 * The shell line every terminal, SSH login and check runs first (main/streams/shell.ts,
 * main/engine/checks-output.ts): into the home, as an SSH login does, when the image chose no
 * working directory of its own; an ordinary user may not write in /. One line for all, so a
 * relative path means the same file in a student's shell and in a check.
 */
export const CD_HOME_SH = 'if [ "$PWD" = / ] && [ -n "$HOME" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then cd "$HOME"; fi';

/** The home to mount for the node, unless it runs as root or the lab already mounts something there or above it (a volume at /home). */
function homeFor(node: LabNode, mounts: Record<string, unknown>[]): string | undefined {
  if (node.security?.user === 'root') return undefined;
  const taken = mounts.some((m) => {
    const path = String(m['mountPath']);
    // Files and volumes below the home are fine: the runtime mounts the shallower path first.
    return path === LAB_HOME || LAB_HOME.startsWith(`${path.replace(/\/$/, '')}/`);
  });
  return taken ? undefined : LAB_HOME;
}

/** Every container's scratch request; its limit is the node's `resources.disk` or the kind's default. */
const SCRATCH_REQUEST = '32Mi';

/**
 * Namespaced sysctls Pod Security allows at every level: ping over ICMP datagram sockets (no raw
 * socket, so no NET_RAW) and low ports for any user (nginx on port 80 without root).
 */
const LAB_SYSCTLS = [
  { name: 'net.ipv4.ping_group_range', value: '0 2147483647' },
  { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
];

/**
 * The pod's security context: the node's user (root only when it says so, which the namespace's
 * Pod Security level then admits), the runtime's default seccomp profile, and the sysctls above.
 * fsGroup makes the node's volumes writable by its user.
 */
function podSecurity(node: LabNode): Record<string, unknown> {
  const user = node.security?.user ?? DEFAULT_USER;
  const ids = user === 'root' ? { runAsUser: 0, runAsGroup: 0 } : { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup: user };
  return { ...ids, seccompProfile: { type: 'RuntimeDefault' }, sysctls: LAB_SYSCTLS };
}

/** No capability but what the node's user gets (grantedCapabilities), and no way to gain more through setuid files. */
function containerSecurity(node: LabNode): Record<string, unknown> {
  const add = grantedCapabilities(node);
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], ...(add.length ? { add } : {}) } };
}

export function containerWorkload(lab: Lab, node: LabNode, meta: Meta, identity: Record<string, string>): KubeObject {
  const res = containerResources(node);
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];

  for (const m of node.volumes ?? []) {
    const volName = podVolumeName(m.volume);
    if (!volumes.some((v) => v['name'] === volName)) {
      volumes.push({ name: volName, persistentVolumeClaim: { claimName: m.volume } });
    }
    mounts.push({ name: volName, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) });
  }

  const cm = filesConfigMapName(node.name);
  const items: Record<string, unknown>[] = [];
  node.files?.forEach((f, i) => {
    const key = fileKey(i, f.path);
    items.push({ key, path: key, mode: f.mode ?? 0o644 });
    // subPath places one file without hiding the rest of its directory.
    mounts.push({ name: 'files', mountPath: f.path, subPath: key });
  });
  if (node.setup !== undefined) {
    items.push({ key: SETUP_KEY, path: SETUP_KEY, mode: 0o755 });
    mounts.push({ name: 'files', mountPath: SETUP_PATH, subPath: SETUP_KEY });
  }
  if (items.length > 0) volumes.push({ name: 'files', configMap: { name: cm, items } });

  // A node that is not root gets a home of its own: an ordinary user may write nowhere else in
  // most images (its working directory is usually /), and students' files and checks go there.
  // It is scratch space (counted in the node's ephemeral-storage limit), gone with the pod.
  const home = homeFor(node, mounts);
  if (home) {
    volumes.push({ name: 'home', emptyDir: {} });
    mounts.push({ name: 'home', mountPath: home });
  }
  const env = { ...(home && node.env?.['HOME'] === undefined ? { HOME: home } : {}), ...node.env };

  const ports = (node.ports ?? []).map((p) => ({
    containerPort: p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.name ? { name: p.name } : {}),
  }));
  if (node.desktop) ports.push({ containerPort: VNC_PORT, protocol: 'TCP', name: 'vnc' });

  const container: Record<string, unknown> = {
    name: node.name,
    image: node.image,
    ...(node.command ? { command: node.command } : {}),
    ...(node.args ? { args: node.args } : {}),
    ...(Object.keys(env).length ? { env: Object.entries(env).map(([name, value]) => ({ name, value })) } : {}),
    ...(ports.length ? { ports } : {}),
    resources: {
      // The scratch request is small (the scheduler counts it against the node's disk); the limit is what the kubelet enforces by restarting the pod.
      requests: { ...res.requests, 'ephemeral-storage': SCRATCH_REQUEST },
      limits: { ...res.limits, 'ephemeral-storage': node.resources?.disk ?? NODE_KIND.container.defaults.scratch },
    },
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    // The setup script runs inside the node once it has started, keeping the image's own
    // entrypoint; a failing script restarts the container, which shows in the node's status.
    ...(node.setup !== undefined
      ? { lifecycle: { postStart: { exec: { command: ['/bin/sh', `${SETUP_MOUNT}/${SETUP_KEY}`] } } } }
      : {}),
    stdin: true,
    tty: true,
    securityContext: containerSecurity(node),
  };

  const labels = podLabels(node, identity);
  const selector = { [LABEL.lab]: lab.metadata.name, [LABEL.node]: node.name };
  const podSpec: Record<string, unknown> = {
    hostname: node.name,
    // Lab pods need no Kubernetes API unless the lab says so: then the node holds the student's
    // own token (what their kubeconfig may do), never more. Elsewhere (dev) the namespace's default account.
    ...(node.security?.serviceAccountToken
      ? { automountServiceAccountToken: true, ...(identity[LABEL.student] !== undefined ? { serviceAccountName: STUDENT_SERVICE_ACCOUNT } : {}) }
      : { automountServiceAccountToken: false }),
    enableServiceLinks: false,
    securityContext: podSecurity(node),
    containers: [container],
    ...(volumes.length ? { volumes } : {}),
  };
  const template = { metadata: { labels }, spec: podSpec };

  const persistent = (node.volumes?.length ?? 0) > 0;
  if (persistent) {
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(node.name),
      spec: {
        serviceName: node.name,
        replicas: 1,
        selector: { matchLabels: selector },
        // One pod at a time and never two with the same volume: no surge capacity needed.
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template,
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(node.name),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      // A lab node is one machine: never run two copies of it, and need no surge quota.
      strategy: { type: 'Recreate' },
      template,
    },
  };
}
