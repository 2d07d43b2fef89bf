// Objects and config files the cluster needs beyond the bare control plane: kwok's config (its own
// Stage definitions), the CRDs compiled labs rely on, the default IngressClass, fake nodes and the
// port-forward rules.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../common/compile/types';
import { isQuantity, parseQuantity } from '../../common/lab/quantity';

export interface NodeShape {
  count: number;
  cpu: string;
  memory: string;
  pods: number;
}
export const DEFAULT_NODES: NodeShape = { count: 4, cpu: '32', memory: '128Gi', pods: 110 };

/** A pod port and the local TCP address a `kubectl port-forward` to it reaches. */
export interface ForwardRule {
  port: number;
  host: string;
  targetPort: number;
}
export const VNC_PORT = 5900;
export const DEFAULT_VNC_TARGET = '127.0.0.1:5900';

/** Annotation kwok selects its nodes by, and our label for the nodes `up` owns. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const FAKE_NODE_LABEL = 'labforge.dev/fake-node';
const PORT_FORWARD_NAME = 'labforge-forwards';

/**
 * kwok's own stages, the "fast" set: node-initialize marks new nodes Ready, the lease-based
 * heartbeat keeps them Ready (kwok renews each node's Lease; the status refresh is slow on
 * purpose), and pods go Running right after scheduling, complete, and are deleted promptly.
 */
const KWOK_STAGE_FILES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

/** kwok CRDs we install so exec and port-forward rules can change while kwok runs. */
export const KWOK_CRDS = ['Exec', 'ClusterExec', 'PortForward', 'ClusterPortForward'] as const;
const KWOK_CRD_FILES: Record<(typeof KWOK_CRDS)[number], string> = {
  Exec: 'kwok.x-k8s.io_execs.yaml',
  ClusterExec: 'kwok.x-k8s.io_clusterexecs.yaml',
  PortForward: 'kwok.x-k8s.io_portforwards.yaml',
  ClusterPortForward: 'kwok.x-k8s.io_clusterportforwards.yaml',
};

/**
 * A stage of our own, before kwok's pod-ready: a pod with a container image on a registry
 * under `.invalid` (a TLD that can never resolve, RFC 2606) stays Pending in ImagePullBackOff,
 * as a kubelet would leave it. Tests and demos use it to show how a failed pull looks in
 * Labforge. Weight 1 against pod-ready's 0 makes kwok pick it whenever both match; it sets a
 * pod IP so that neither stage matches again.
 */
const UNPULLABLE_IMAGE_STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: labforge-pod-image-unpullable
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.podIP'
      operator: 'DoesNotExist'
    - key: '[.spec.containers[].image | test("^[^/]+[.]invalid(:[0-9]+)?/")] | any'
      operator: 'In'
      values: ['true']
  weight: 1
  next:
    statusTemplate: |
      conditions:
      - status: "True"
        type: PodScheduled
      - status: "False"
        type: Ready
        reason: ContainersNotReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        state:
          waiting:
            reason: ImagePullBackOff
            message: {{ printf "Back-off pulling image %q: the registry's name does not resolve" .image | Quote }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Pending
`;

export async function kwokConfigYaml(stageDir: string): Promise<string> {
  const parts = await Promise.all(KWOK_STAGE_FILES.map((f) => readFile(join(stageDir, f), 'utf8')));
  return [UNPULLABLE_IMAGE_STAGE, ...parts].map((p) => p.trim()).join('\n---\n') + '\n';
}

export async function kwokCrds(crdDir: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const kind of KWOK_CRDS) {
    const text = await readFile(join(crdDir, KWOK_CRD_FILES[kind]), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj) out.push(obj);
    }
  }
  return out;
}

export const ingressObjects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  },
];

export function nodeName(i: number): string {
  return `kwok-node-${i}`;
}

/** A fake node: annotated for kwok, no addresses (kwok fills in its own), capacity as asked. */
export function fakeNode(i: number, shape: NodeShape): KubeObject {
  const name = nodeName(i);
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        [FAKE_NODE_LABEL]: 'true',
        type: 'kwok',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
      },
    },
    spec: {},
    status: { capacity: resources, allocatable: resources },
  };
}

/** Node capacities: any positive quantity of the one grammar (common/lab/quantity.ts). */
const isPositiveQuantity = (q: string) => isQuantity(q) && (parseQuantity(q) ?? 0) > 0;
export const isCpuQuantity = isPositiveQuantity;
export const isMemoryQuantity = isPositiveQuantity;

export function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`invalid target "${text}" (expected host:port, e.g. 127.0.0.1:5900)`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Parses `8080=127.0.0.1:18080` (or `8080=18080`, meaning 127.0.0.1). */
export function parseForward(text: string): ForwardRule {
  const m = /^(\d{1,5})=(.+)$/.exec(text.trim());
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`invalid forward "${text}" (expected POD_PORT=HOST:PORT, e.g. 8080=127.0.0.1:18080)`);
  const rest = m[2] as string;
  const target = /^\d+$/.test(rest) ? parseTarget(`127.0.0.1:${rest}`) : parseTarget(rest);
  return { port, host: target.host, targetPort: target.port };
}

export function formatForward(f: ForwardRule): string {
  return `${f.port}=${f.host.includes(':') ? `[${f.host}]` : f.host}:${f.targetPort}`;
}

/**
 * The relay kwok runs for each port-forward connection (stdin/stdout are the forwarded stream).
 * kwok's plain `target` forward copies both ways until *both* directions end, so when the client
 * goes away the connection to the local server stays open until that server writes or closes
 * (a VNC server would keep a ghost client). The relay ends as soon as either side closes:
 * bash's /dev/tcp connects, two `cat`s copy, `wait -n` returns with the first to finish, and
 * exiting closes both the stream and the socket. (fd 4 keeps the real stdin: a background job
 * would otherwise read /dev/null.)
 */
const RELAY_SCRIPT = [
  'exec 3<>"/dev/tcp/$1/$2" || exit 1',
  'exec 4<&0',
  'cat <&3 & r=$!',
  'cat <&4 >&3 & w=$!',
  'wait -n',
  'kill "$r" "$w" 2>/dev/null',
  'exit 0',
].join('\n');

/** One ClusterPortForward for every pod: each rule sends a pod port to a local TCP address. */
export function clusterPortForward(rules: ForwardRule[]): KubeObject {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterPortForward',
    metadata: { name: PORT_FORWARD_NAME },
    spec: {
      forwards: rules.map((r) => ({
        ports: [r.port],
        command: ['bash', '-c', RELAY_SCRIPT, 'labforge-relay', r.host, String(r.targetPort)],
      })),
    },
  };
}

/**
 * Registers the KubeVirt VNC stand-in (kubevirt-vnc.ts, in the cluster agent) with the
 * apiserver's aggregation layer. The Service is an ExternalName pointing at loopback: with
 * aggregator routing off, the aggregator dials `<externalName>:<APIService port>` directly, where
 * Endpoints could not help (they may not hold loopback addresses). The aggregator verifies the
 * server's certificate against `caBundle` for the name `<service>.<namespace>.svc`.
 */
export function kubevirtVncObjects(service: { namespace: string; name: string }, port: number, caPem: string): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, namespace: service.namespace, labels: { 'app.kubernetes.io/managed-by': 'labforge-cluster' } },
      spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1.subresources.kubevirt.io', labels: { 'app.kubernetes.io/managed-by': 'labforge-cluster' } },
      spec: {
        group: 'subresources.kubevirt.io',
        version: 'v1',
        service: { namespace: service.namespace, name: service.name, port },
        caBundle: Buffer.from(caPem).toString('base64'),
        groupPriorityMinimum: 1000,
        versionPriority: 15,
      },
    },
  ];
}
