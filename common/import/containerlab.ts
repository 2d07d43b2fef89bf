/**
 * containerlab topology → lab. `linux` nodes become containers; every link becomes a lab network
 * named after its two endpoints, and containerlab's management network becomes a lab network
 * every node joins. Vendor network OS kinds cannot run as plain containers in a student
 * namespace; they are reported at their line.
 */
import { capabilityLeftOut, capabilityVerdict } from '../lab/capabilities';
import { API_VERSION, KIND, type LabInput } from '../lab/schema';
import { gridLayout, LabelAllocator, shellWords, toLabel } from './names';
import { YamlSource, type ImportedLab, type ImportResult } from './source';

type Path = (string | number)[];
type NodeInput = LabInput['nodes'] extends (infer N)[] | undefined ? N : never;

/** Kinds that are a plain Linux container image in containerlab. */
const CONTAINER_KINDS = new Set(['linux']);

const NODE_FIELDS_NOT_REPRESENTED: Record<string, string> = {
  binds: 'host folders do not exist in the cluster; put small files in the node\'s `files`',
  'startup-config': 'startup configurations of network OSes are not applied',
  'mgmt-ipv4': 'addresses are assigned by the cluster',
  'mgmt-ipv6': 'addresses are assigned by the cluster',
  'network-mode': 'nodes always get their own network namespace',
  labels: 'node labels are not kept',
  license: 'licenses are for vendor kinds',
  'cpu-set': 'CPU pinning is not configured',
  sysctls: 'sysctls are not configured per node',
  devices: 'host devices cannot be passed to a student\'s node',
  'publish': 'ports are published by exposures in a lab',
  group: 'groups are a containerlab display hint',
  'stages': 'start stages are not kept: every node starts at once',
  'wait-for': 'start order is not kept: every node starts at once',
  'restart-policy': 'Kubernetes restarts containers itself',
  'auto-remove': 'nodes live as long as the student\'s namespace',
  'runtime': 'the runtime is the cluster\'s',
  'exec-timeout': 'the setup script has no timeout of its own',
};

export function importContainerlab(text: string, fileName = 'topology.clab.yml'): ImportResult {
  const parsed = YamlSource.parse(text);
  if (Array.isArray(parsed)) return { ok: false, errors: parsed, warnings: [] };
  const src = parsed;
  const empty: ImportedLab = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'clab' }, nodes: [], networks: [] };

  if (!src.isMap([])) {
    src.error([], 'a containerlab topology must be a YAML mapping with `name` and `topology`');
    return src.result(empty);
  }
  for (const key of src.keys([])) {
    if (['name', 'topology', 'mgmt', 'prefix'].includes(key)) continue;
    src.warn([key], `top-level \`${key}\` is not represented in a lab`);
  }
  const rawName = src.value(['name']);
  if (typeof rawName !== 'string' || rawName === '') src.error(src.node(['name']) ? ['name'] : [], '`name` must be the topology\'s name (a string)');
  if (!src.isMap(['topology', 'nodes']) || src.keys(['topology', 'nodes']).length === 0) {
    src.error(src.node(['topology', 'nodes']) ? ['topology', 'nodes'] : src.node(['topology']) ? ['topology'] : [], '`topology.nodes` must be a mapping with at least one node');
    return src.result(empty);
  }
  const labName = toLabel(String(rawName ?? 'clab'), 40);
  for (const key of src.keys(['topology'])) {
    if (!['nodes', 'links', 'kinds', 'defaults', 'groups'].includes(key)) src.warn(['topology', key], `topology \`${key}\` is not represented in a lab`);
  }

  // A node's settings: the node itself, then its group, its kind and the defaults, in
  // containerlab's order of precedence.
  const setting = (node: string, field: string): { value: unknown; at: Path } | undefined => {
    const kind = inheritedKind(src, node);
    const group = src.value(['topology', 'nodes', node, 'group']);
    const places: Path[] = [
      ['topology', 'nodes', node, field],
      ...(typeof group === 'string' ? [['topology', 'groups', group, field]] : []),
      ...(kind ? [['topology', 'kinds', kind, field]] : []),
      ['topology', 'defaults', field],
    ];
    for (const at of places) {
      const value = src.value(at);
      if (value !== undefined) return { value, at };
    }
    return undefined;
  };

  const mgmtName = toLabel(String(src.value(['mgmt', 'network']) ?? 'mgmt'), 63);
  for (const key of src.keys(['mgmt'])) {
    if (key !== 'network') src.warn(['mgmt', key], `mgmt \`${key}\` is not represented: addresses are assigned by the cluster`);
  }

  const nodeNames = new LabelAllocator();
  const nodeOf = new Map<string, NodeInput>();
  const nodes: NodeInput[] = [];
  for (const key of src.keys(['topology', 'nodes'])) {
    const base: Path = ['topology', 'nodes', key];
    const kind = inheritedKind(src, key);
    if (!kind) {
      src.warn(base, `node "${key}" has no kind (and no default kind); it is not imported`);
      continue;
    }
    if (!CONTAINER_KINDS.has(kind)) {
      src.warn(src.node([...base, 'kind']) ? [...base, 'kind'] : base, `node "${key}" is of kind "${kind}", which cannot run as a container in a student namespace (vendor network OS or host-level kind); it is not imported, and its links are left out`);
      continue;
    }
    const name = nodeNames.take(key);
    if (name !== key) src.warn(base, `node "${key}" becomes "${name}" (node names are DNS labels)`);
    const image = setting(key, 'image');
    const node: NodeInput = { name, kind: 'container', image: typeof image?.value === 'string' ? image.value : '' };
    if (!image || typeof image.value !== 'string' || image.value === '') src.error(base, `node "${key}" has no \`image\` (on the node, its kind or the defaults)`);

    const cmd = setting(key, 'cmd');
    if (cmd) node.args = typeof cmd.value === 'string' ? shellWords(cmd.value) : Array.isArray(cmd.value) ? cmd.value.map(String) : [];
    const entrypoint = setting(key, 'entrypoint');
    if (entrypoint) node.command = typeof entrypoint.value === 'string' ? shellWords(entrypoint.value) : [];
    const env = setting(key, 'env');
    if (env && env.value && typeof env.value === 'object') {
      node.env = Object.fromEntries(Object.entries(env.value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    }
    const exec = setting(key, 'exec');
    if (exec && Array.isArray(exec.value)) node.setup = exec.value.map(String).join('\n') + '\n';
    const ports = setting(key, 'ports');
    if (ports && Array.isArray(ports.value)) {
      (ports.value as unknown[]).forEach((p, i) => {
        const m = /^(?:\d+:)?(\d+)(?:\/(tcp|udp))?$/i.exec(String(p));
        if (!m) {
          src.warn([...ports.at, i], `"${String(p)}" is not a port such as "8080:80"; it is not imported`);
          return;
        }
        const port = Number(m[1]);
        if (port < 1 || port > 65535) return src.warn([...ports.at, i], `port ${port} is out of range; it is not imported`);
        const udp = m[2]?.toLowerCase() === 'udp';
        (node.ports ??= []).push({ port, ...(udp ? { protocol: 'UDP' as const } : {}) });
        if (String(p).includes(':')) src.warn([...ports.at, i], `host port of "${String(p)}" is not published: the port is open to the node's networks; add an exposure for HTTP`);
      });
    }
    node.security = nodeSecurity(src, key, setting);
    for (const field of src.keys(base)) {
      if (['kind', 'image', 'cmd', 'entrypoint', 'env', 'exec', 'ports', 'group', 'cap-add', 'user'].includes(field)) continue;
      const why = NODE_FIELDS_NOT_REPRESENTED[field];
      src.warn([...base, field], why ? `\`${field}\`: ${why}` : `\`${field}\` is not represented in a lab`);
    }
    node.networks = [mgmtName];
    nodeOf.set(key, node);
    nodes.push(node);
  }

  // Links: one lab network per link, named after its endpoints.
  const netNames = new LabelAllocator(63);
  netNames.take(mgmtName);
  const networks: { name: string; title: string }[] = [{ name: mgmtName, title: 'Management network' }];
  const links = src.length(['topology', 'links']);
  if (src.node(['topology', 'links']) && !src.isSeq(['topology', 'links'])) src.error(['topology', 'links'], '`links` must be a list');
  for (let i = 0; i < links; i++) {
    const at: Path = ['topology', 'links', i];
    const endpoints = linkEndpoints(src, at);
    if (!endpoints) continue;
    const present = endpoints.filter((e) => nodeOf.has(e.node));
    const unknown = endpoints.filter((e) => !src.node(['topology', 'nodes', e.node]));
    if (unknown.length > 0) {
      src.error(at, `link endpoint${unknown.length > 1 ? 's' : ''} ${unknown.map((e) => `"${e.node}:${e.iface}"`).join(', ')} name${unknown.length > 1 ? '' : 's'} no node under topology.nodes`);
      continue;
    }
    if (present.length < endpoints.length) {
      src.warn(at, `link ${endpoints.map((e) => `${e.node}:${e.iface}`).join(' — ')} touches a node that is not imported${present.length < 2 ? '; the link is left out' : ''}`);
      if (present.length < 2) continue;
    }
    const name = netNames.take(present.map((e) => `${e.node}-${e.iface}`).join('-'));
    networks.push({ name, title: present.map((e) => `${e.node}:${e.iface}`).join(' — ') });
    for (const e of present) {
      const node = nodeOf.get(e.node)!;
      if (!node.networks!.includes(name)) node.networks!.push(name);
    }
  }

  return src.result({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: labName, title: `Imported from ${fileName.replace(/^.*[\\/]/, '')}` },
    networks,
    nodes,
    layout: gridLayout(
      nodes.map((n) => n.name),
      networks.map((n) => n.name),
      [],
    ),
  });
}

function inheritedKind(src: YamlSource, node: string): string | undefined {
  const own = src.value(['topology', 'nodes', node, 'kind']);
  if (typeof own === 'string') return own;
  const group = src.value(['topology', 'nodes', node, 'group']);
  const fromGroup = typeof group === 'string' ? src.value(['topology', 'groups', group, 'kind']) : undefined;
  if (typeof fromGroup === 'string') return fromGroup;
  const fallback = src.value(['topology', 'defaults', 'kind']);
  return typeof fallback === 'string' ? fallback : undefined;
}

/** Both link syntaxes: `endpoints: ["a:eth1", "b:eth1"]` and `endpoints: [{node, interface}]`. */
function linkEndpoints(src: YamlSource, at: Path): { node: string; iface: string }[] | undefined {
  const type = src.value([...at, 'type']);
  if (type !== undefined && type !== 'veth') {
    src.warn([...at, 'type'], `link type "${String(type)}" is not represented (only point-to-point veth links are)`);
    return undefined;
  }
  const raw = src.value([...at, 'endpoints']);
  if (!Array.isArray(raw) || raw.length !== 2) {
    src.error(src.node([...at, 'endpoints']) ? [...at, 'endpoints'] : at, 'a link needs `endpoints` with exactly two entries such as "node1:eth1"');
    return undefined;
  }
  const out: { node: string; iface: string }[] = [];
  for (let j = 0; j < 2; j++) {
    const e = raw[j];
    if (typeof e === 'string' && /^[^:\s]+:[^:\s]+$/.test(e)) {
      const [node, iface] = e.split(':') as [string, string];
      out.push({ node, iface });
    } else if (e && typeof e === 'object' && typeof (e as { node?: unknown }).node === 'string') {
      out.push({ node: (e as { node: string }).node, iface: String((e as { interface?: unknown }).interface ?? `eth${j + 1}`) });
    } else {
      src.error([...at, 'endpoints', j], `endpoint "${String(e)}" must be "node:interface"`);
      return undefined;
    }
  }
  return out;
}

/**
 * containerlab runs a linux node as root with the capabilities a network lab uses (routes,
 * addresses, ping, tcpdump): the lab says so, which makes the student namespace Pod Security
 * "privileged" (validate shows it). `cap-add` adds what a lab node may have and warns about the
 * rest; a numeric `user` is kept.
 */
function nodeSecurity(src: YamlSource, key: string, setting: (node: string, field: string) => { value: unknown; at: Path } | undefined): NonNullable<NodeInput['security']> {
  const caps = new Set<string>(['NET_ADMIN', 'NET_RAW']);
  const capAdd = setting(key, 'cap-add');
  if (capAdd && Array.isArray(capAdd.value)) {
    (capAdd.value as unknown[]).forEach((c, i) => {
      const v = capabilityVerdict(String(c));
      if (v.allowed) caps.add(v.name);
      else src.warn([...capAdd.at, i], capabilityLeftOut(v));
    });
  }
  const user = setting(key, 'user');
  let uid: number | 'root' = 'root';
  if (user !== undefined) {
    const n = /^\d+$/.test(String(user.value)) ? Number(user.value) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 2147483647) uid = n;
    else if (String(user.value) !== 'root' && String(user.value) !== '0') src.warn(user.at, `user "${String(user.value)}" is not a number; the node runs as root (a lab names users by id)`);
  }
  // Capabilities take effect for root only; a node with its own user gets none.
  return uid === 'root' ? { user: 'root', capabilities: [...caps] } : { user: uid };
}
