// Configuration files of the real node: containerd's config and registry hosts, the CNI network,
// kubelet's and kube-proxy's configurations. Pure text from a few settings, so `up` can compare
// what it would write with what is there and restart only what changed.
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The real node's fixed addresses. Pods get 10.244.0.0/24 on a Linux bridge; the node's own address is a /32 on lo. */
export const REAL_NODE = {
  name: 'labforge-node',
  /** Not loopback (kubelet refuses it as a node address, and pods could not reach it), not on any NIC. */
  ip: '10.77.0.1',
  podCidr: '10.244.0.0/24',
  bridge: 'lfbr0',
  clusterDns: '10.96.0.10',
  clusterDomain: 'cluster.local',
  /** Label on the real node; kwok nodes carry `type: kwok` and a taint (see placement.ts). */
  label: 'labforge.dev/node-type',
} as const;

/** Registries whose images the node resolves through the local registry (images.ts pushes them there). */
export const MIRRORED_REGISTRIES = ['docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io', 'localhost'] as const;

/** The sandbox image: Kubernetes' pause program, built from the pinned module (build-node.sh). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export interface NodeDirs {
  /** containerd's persistent root (images, snapshots). */
  containerdRoot: string;
  /** containerd's state (sockets, shims' runtime files). */
  containerdState: string;
  containerdSocket: string;
  /** hosts.toml per mirrored registry. */
  registryHosts: string;
  cniConf: string;
  cniIpam: string;
  cniBin: string;
  kubeletRoot: string;
  podLogs: string;
}

export function nodeDirs(stateDir: string, run: string): NodeDirs {
  return {
    containerdRoot: join(stateDir, 'node', 'containerd'),
    containerdState: join(run, 'containerd'),
    containerdSocket: join(run, 'containerd', 'containerd.sock'),
    registryHosts: join(stateDir, 'node', 'registry-hosts'),
    cniConf: join(stateDir, 'node', 'cni'),
    /** host-local's address reservations: in the state directory, so `down` frees them all. */
    cniIpam: join(stateDir, 'node', 'cni-ipam'),
    cniBin: '/usr/lib/cni',
    kubeletRoot: join(stateDir, 'node', 'kubelet'),
    podLogs: join(stateDir, 'node', 'pod-logs'),
  };
}

/**
 * containerd 1.6's CRI configuration. `restrict_oom_score_adj`: our sandbox lacks
 * CAP_SYS_RESOURCE, so runc must not try to lower a container's OOM score (it fails with "can't
 * get final child's PID from pipe: EOF" otherwise). runc, not crun: crun refuses hybrid cgroups.
 */
export function containerdConfig(d: NodeDirs, metricsPort: number): string {
  return `version = 2
root = ${JSON.stringify(d.containerdRoot)}
state = ${JSON.stringify(d.containerdState)}
[grpc]
  address = ${JSON.stringify(d.containerdSocket)}
[metrics]
  address = "127.0.0.1:${metricsPort}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(PAUSE_IMAGE)}
  restrict_oom_score_adj = true
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${JSON.stringify(d.cniBin)}
    conf_dir = ${JSON.stringify(d.cniConf)}
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${JSON.stringify(d.registryHosts)}
`;
}

/**
 * `<registry>/hosts.toml`: resolve and pull through the local registry first, then the registry
 * itself (which our machines cannot reach, but a user's machine may).
 */
export function registryHostsToml(registry: string, localRegistry: string): string {
  const upstream = registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;
  return `server = ${JSON.stringify(upstream)}

[host."http://${localRegistry}"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
`;
}

/**
 * One bridge for every pod of the node, host-local addresses, and portmap for hostPort. The
 * reservations live under the state directory: in host-local's default place (/var/lib/cni) the
 * addresses of containers killed by `down` would stay taken across clusters until the /24 ran out.
 */
export function cniConflist(ipamDir: string): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'labforge',
    plugins: [
      {
        type: 'bridge',
        bridge: REAL_NODE.bridge,
        isGateway: true,
        ipMasq: true,
        // A pod reaching itself through its own Service needs the packet back on the same port.
        hairpinMode: true,
        ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: REAL_NODE.podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2);
}

export interface KubeletSettings {
  /** The host's resolver file with servers a pod can reach (host.ts, upstreamResolvConf). */
  resolvConf: string;
  caCert: string;
  servingCert: string;
  servingKey: string;
  port: number;
  healthzPort: number;
  dirs: NodeDirs;
}

/**
 * kubelet's configuration on this kind of host: cgroup v1 through cgroupfs (no systemd), no swap
 * check, a pids limit per pod (a fork bomb stops in its own pod), the runtime's default seccomp
 * profile for every container, and eviction thresholds that a
 * development disk does not trip.
 */
export function kubeletConfig(s: KubeletSettings): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: REAL_NODE.ip,
    port: s.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: s.healthzPort,
    tlsCertFile: s.servingCert,
    tlsPrivateKeyFile: s.servingKey,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: s.caCert } },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${s.dirs.containerdSocket}`,
    clusterDNS: [REAL_NODE.clusterDns],
    clusterDomain: REAL_NODE.clusterDomain,
    podCIDR: REAL_NODE.podCidr,
    podPidsLimit: 512,
    // Every container gets the runtime's default seccomp profile unless its pod asks otherwise:
    // without it a student, root in a baseline pod, could `unshare -U` into a user namespace
    // of their own and mount filesystems there (npm run breakout, unshare-user), the first
    // step of most kernel escapes. containerd's profile refuses unshare, setns, mount,
    // init_module, ptrace of others and the like without CAP_SYS_ADMIN.
    seccompDefault: true,
    // kubelet's default is 110; a class of 30 routing-lab students alone is 120 pods. The pod
    // range (a /24) holds 253 addresses, which bounds this.
    maxPods: 250,
    podLogsDir: s.dirs.podLogs,
    hairpinMode: 'hairpin-veth',
    serializeImagePulls: false,
    evictionHard: { 'memory.available': '200Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
    imageGCHighThresholdPercent: 98,
    imageGCLowThresholdPercent: 95,
    // The node's pods share the host with the control plane: keep some room for it.
    systemReserved: { cpu: '500m', memory: '1Gi' },
    rotateCertificates: false,
    serverTLSBootstrap: false,
    registerNode: true,
    // Where pods with dnsPolicy Default (CoreDNS among them) get their upstream servers.
    resolvConf: s.resolvConf,
  });
}

export function kubeletArgs(configFile: string, kubeconfig: string, dirs: NodeDirs): string[] {
  return [
    `--config=${configFile}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${dirs.kubeletRoot}`,
    `--hostname-override=${REAL_NODE.name}`,
    `--node-ip=${REAL_NODE.ip}`,
    `--node-labels=${REAL_NODE.label}=real`,
    '--v=1',
  ];
}

export function kubeProxyConfig(kubeconfig: string, healthzPort: number, metricsPort: number): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    hostnameOverride: REAL_NODE.name,
    bindAddress: '127.0.0.1',
    healthzBindAddress: `127.0.0.1:${healthzPort}`,
    metricsBindAddress: `127.0.0.1:${metricsPort}`,
    mode: 'iptables',
    clusterCIDR: REAL_NODE.podCidr,
    // kube-proxy would raise nf_conntrack_max; our sandbox may not write that sysctl.
    conntrack: { maxPerCore: 0 },
    detectLocalMode: 'ClusterCIDR',
    iptables: { masqueradeAll: false },
    nodePortAddresses: [`${REAL_NODE.ip}/32`],
  });
}
