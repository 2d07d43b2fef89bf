/**
 * docker-compose → lab. Services become container nodes, named volumes lab volumes, networks
 * lab networks (compose's implicit `default` network included). What the lab format cannot
 * carry is reported as a warning at its line; nothing is dropped without a word.
 */
import { API_VERSION, KIND, type LabInput } from '../lab/schema';
import { dockerCpus, dockerMemory, gridLayout, LabelAllocator, shellWords, toLabel } from './names';
import { YamlSource, type ImportedLab, type ImportResult } from './source';

type Path = (string | number)[];
type NodeInput = LabInput['nodes'] extends (infer N)[] | undefined ? N : never;
type PortInput = NonNullable<NodeInput['ports']>[number];
type MountInput = NonNullable<NodeInput['volumes']>[number];

/** Volume sizes are not part of compose; this is what the lab asks for unless edited. */
export const DEFAULT_VOLUME_SIZE = '1Gi';
const MAX_PORT_RANGE = 16;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Service keys that have no equivalent, with why, so the warning helps. */
const UNREPRESENTABLE: Record<string, string> = {
  build: 'images are not built by Labforge: build and push the image, then set `image`',
  privileged: 'privileged containers are refused in student namespaces (Pod Security "baseline")',
  network_mode: 'nodes always get their own network namespace; host or shared networking is not available',
  pid: 'nodes cannot share the host or another container\'s process namespace',
  ipc: 'nodes cannot share the host\'s IPC namespace',
  devices: 'host devices cannot be passed to a student\'s node',
  cap_add: 'extra Linux capabilities are not granted in student namespaces',
  cap_drop: 'capabilities are not configured per node',
  security_opt: 'security options are not configured per node',
  depends_on: 'start order is not kept: every node starts at once, so the service must retry until its dependencies answer',
  links: 'legacy links: nodes reach each other by name on a shared network',
  external_links: 'external containers are not part of the lab',
  env_file: 'environment files are not read: copy the variables into `environment`',
  healthcheck: 'the lab format has no health check; readiness is the container running',
  restart: 'Kubernetes restarts containers itself',
  container_name: 'a node is named after its service',
  hostname: 'a node\'s host name is its name',
  domainname: 'a node\'s domain is its namespace',
  user: 'the user comes from the image',
  working_dir: 'the working directory comes from the image',
  extra_hosts: 'extra /etc/hosts entries are not configured; use node names',
  dns: 'DNS is the cluster\'s',
  dns_search: 'DNS is the cluster\'s',
  labels: 'container labels are not kept',
  logging: 'logs are the cluster\'s',
  ulimits: 'ulimits are not configured per node',
  sysctls: 'sysctls are not configured per node',
  tmpfs: 'tmpfs mounts are not represented',
  configs: 'compose configs are not read: put the content in the node\'s `files`',
  secrets: 'compose secrets are not read: put the content in the node\'s `files`',
  platform: 'the platform is chosen by the cluster',
  profiles: 'profiles are ignored: every service becomes a node',
  stdin_open: 'nodes are reached through the terminal pane',
  tty: 'nodes are reached through the terminal pane',
  stop_signal: 'stop signals are not configured',
  stop_grace_period: 'grace periods are not configured',
  init: 'no init process is injected',
  shm_size: 'shared memory size is not configured',
  scale: 'one node per service',
  pull_policy: 'the cluster decides when to pull',
};

export function importCompose(text: string, fileName = 'docker-compose.yml'): ImportResult {
  const parsed = YamlSource.parse(text);
  if (Array.isArray(parsed)) return { ok: false, errors: parsed, warnings: [] };
  const src = parsed;

  if (!src.isMap([])) {
    src.error([], 'a compose file must be a YAML mapping with `services`');
    return src.result(emptyLab('compose'));
  }
  for (const key of src.keys([])) {
    if (['version', 'name', 'services', 'networks', 'volumes'].includes(key) || key.startsWith('x-')) continue;
    src.warn([key], `top-level \`${key}\` is not represented in a lab`);
  }
  if (!src.isMap(['services']) || src.keys(['services']).length === 0) {
    src.error(src.node(['services']) ? ['services'] : [], '`services` must be a mapping with at least one service');
    return src.result(emptyLab('compose'));
  }

  const rawName = src.value(['name']) ?? fileName.replace(/^.*[\\/]/, '').replace(/\.(ya?ml)$/i, '').replace(/^(docker-)?compose$/i, 'compose');
  const labName = toLabel(String(rawName), 40);
  if (src.value(['name']) !== undefined && labName !== String(src.value(['name']))) src.warn(['name'], `the lab is named "${labName}" (a DNS label)`);

  // Networks: declared ones, then `default` if some service relies on it.
  const netNames = new LabelAllocator(63);
  const networks = new Map<string, string>();
  for (const key of src.keys(['networks'])) {
    const name = netNames.take(key);
    networks.set(key, name);
    if (name !== key) src.warn(['networks', key], `network "${key}" is named "${name}" in the lab`);
    for (const field of src.keys(['networks', key])) {
      if (field === 'name') continue;
      if (field === 'external' && src.value(['networks', key, 'external'])) {
        src.warn(['networks', key, field], `external network "${key}" becomes a lab network of its own; the lab cannot join networks outside it`);
      } else if (field === 'internal') {
        // Lab networks are closed to everything but their members already.
      } else {
        src.warn(['networks', key, field], `network \`${field}\` is not represented: lab networks are segments enforced by NetworkPolicy, without drivers or addresses`);
      }
    }
  }

  // Volumes: named ones only; sizes are not part of compose.
  const volNames = new LabelAllocator(63);
  const volumes = new Map<string, string>();
  for (const key of src.keys(['volumes'])) {
    const name = volNames.take(key);
    volumes.set(key, name);
    src.warn(['volumes', key], `volume "${key}" becomes lab volume "${name}" of ${DEFAULT_VOLUME_SIZE} (compose has no size; change it in the lab)`);
    for (const field of src.keys(['volumes', key])) {
      if (field === 'name') continue;
      src.warn(['volumes', key, field], `volume \`${field}\` is not represented: lab volumes use the cluster's storage classes`);
    }
  }
  const volumeUsers = new Map<string, string[]>();

  const nodeNames = new LabelAllocator();
  const nodes: NodeInput[] = [];
  let usesDefault = false;
  for (const service of src.keys(['services'])) {
    const base: Path = ['services', service];
    if (!src.isMap(base)) {
      src.error(base, `service "${service}" must be a mapping`);
      continue;
    }
    const name = nodeNames.take(service);
    if (name !== service) src.warn(base, `service "${service}" becomes node "${name}" (node names are DNS labels)`);
    const node: NodeInput = { name, kind: 'container', image: '' };

    const image = src.value([...base, 'image']);
    if (typeof image === 'string' && image !== '') node.image = image;
    else if (src.node([...base, 'build'])) node.image = `${labName}-${name}:latest`;
    else src.error(base, `service "${service}" has neither \`image\` nor \`build\`: set the image to run`);

    for (const key of src.keys(base)) {
      const at: Path = [...base, key];
      const value = src.value(at);
      switch (key) {
        case 'image':
          break;
        case 'build':
          src.warn(at, `${UNREPRESENTABLE['build']}; the node uses "${node.image}" until then`);
          break;
        case 'command':
        case 'entrypoint': {
          const words = commandWords(value);
          if (!words) src.warn(at, `\`${key}\` must be a string or a list of strings; it is not imported`);
          else if (key === 'command') node.args = words;
          else node.command = words;
          break;
        }
        case 'environment':
          node.env = environment(src, at);
          break;
        case 'ports':
        case 'expose':
          for (const p of ports(src, at, key === 'expose')) addPort(node, p);
          break;
        case 'volumes':
          for (const m of mounts(src, at, volumes)) {
            (node.volumes ??= []).push(m);
            volumeUsers.set(m.volume, [...(volumeUsers.get(m.volume) ?? []), name]);
          }
          break;
        case 'networks': {
          const list = src.isSeq(at) ? (value as unknown[]).map(String) : src.keys(at);
          for (const net of list) {
            const mapped = networks.get(net) ?? (net === 'default' ? 'default' : undefined);
            if (!mapped) {
              src.error(at, `network "${net}" is not declared under the top-level \`networks\``);
              continue;
            }
            if (mapped === 'default') usesDefault = true;
            (node.networks ??= []).includes(mapped) || node.networks.push(mapped);
            if (src.isMap([...at, net])) {
              for (const field of src.keys([...at, net])) src.warn([...at, net, field], `per-network \`${field}\` is not represented: nodes reach each other by name`);
            }
          }
          break;
        }
        case 'deploy':
          deploy(src, at, node);
          break;
        case 'cpus': {
          const cpu = dockerCpus(value);
          if (cpu) setLimit(node, 'cpu', cpu);
          else src.warn(at, `cpus "${String(value)}" is not a number of CPUs; it is not imported`);
          break;
        }
        case 'mem_limit':
        case 'mem_reservation': {
          const mem = dockerMemory(value);
          if (!mem) src.warn(at, `${key} "${String(value)}" is not a size such as "512m"; it is not imported`);
          else if (key === 'mem_limit') setLimit(node, 'memory', mem);
          else setRequest(node, 'memory', mem);
          break;
        }
        default:
          if (key.startsWith('x-')) break;
          src.warn(at, UNREPRESENTABLE[key] ? `\`${key}\`: ${UNREPRESENTABLE[key]}` : `\`${key}\` is not represented in a lab`);
      }
    }
    if (!src.node([...base, 'networks']) && !src.node([...base, 'network_mode'])) {
      usesDefault = true;
      node.networks = ['default'];
    }
    nodes.push(node);
  }

  for (const [volume, users] of volumeUsers) {
    if (users.length > 1) {
      src.warn(['volumes'], `volume "${volume}" is mounted by ${users.join(', ')}: a lab volume belongs to one node, so the lab will not validate until each node has its own`);
    }
  }

  const labNetworks = [...networks.values()];
  if (usesDefault && !labNetworks.includes('default')) labNetworks.unshift('default');
  const labVolumes = [...volumes.values()].filter((v) => volumeUsers.has(v));
  for (const [key, v] of volumes) if (!volumeUsers.has(v)) src.warn(['volumes', key], `volume "${key}" is not mounted by any service; it is left out`);

  return src.result({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: labName, title: `Imported from ${fileName.replace(/^.*[\\/]/, '')}` },
    networks: labNetworks.map((n) => ({ name: n })),
    volumes: labVolumes.map((v) => ({ name: v, size: DEFAULT_VOLUME_SIZE })),
    nodes,
    layout: gridLayout(
      nodes.map((n) => n.name),
      labNetworks,
      labVolumes,
    ),
  });
}

function emptyLab(name: string): ImportedLab {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name }, nodes: [], networks: [] };
}

function commandWords(value: unknown): string[] | undefined {
  if (typeof value === 'string') return shellWords(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number'].includes(typeof v))) return value.map(String);
  return undefined;
}

function environment(src: YamlSource, at: Path): Record<string, string> {
  const env: Record<string, string> = {};
  const put = (key: string, value: unknown, where: Path) => {
    if (!ENV_NAME.test(key)) {
      src.warn(where, `environment variable "${key}" is not imported: lab variable names use letters, digits and '_' and do not start with a digit`);
      return;
    }
    if (value === null || value === undefined) {
      src.warn(where, `"${key}" takes its value from the host's environment in compose; set a value in the lab`);
      return;
    }
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (/\$\{?[A-Za-z_]/.test(text)) src.warn(where, `"${key}" uses variable substitution, which the lab keeps as written`);
    env[key] = text;
  };
  if (src.isSeq(at)) {
    (src.value(at) as unknown[]).forEach((item, i) => {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) put(s, undefined, [...at, i]);
      else put(s.slice(0, eq), s.slice(eq + 1), [...at, i]);
    });
  } else if (src.isMap(at)) {
    for (const key of src.keys(at)) put(key, src.value([...at, key]), [...at, key]);
  } else {
    src.warn(at, '`environment` must be a list or a mapping; it is not imported');
  }
  return env;
}

function ports(src: YamlSource, at: Path, exposeOnly: boolean): PortInput[] {
  if (!src.isSeq(at)) {
    src.warn(at, 'ports must be a list; they are not imported');
    return [];
  }
  const out: PortInput[] = [];
  const items = src.value(at) as unknown[];
  items.forEach((item, i) => {
    const where: Path = [...at, i];
    if (item && typeof item === 'object') {
      const long = item as { target?: unknown; published?: unknown; protocol?: unknown; name?: unknown };
      const target = Number(long.target);
      if (!Number.isInteger(target) || target < 1 || target > 65535) {
        src.warn(where, 'a port needs a `target` between 1 and 65535; it is not imported');
        return;
      }
      const protocol = String(long.protocol ?? 'tcp').toUpperCase();
      if (protocol !== 'TCP' && protocol !== 'UDP') src.warn(where, `protocol ${protocol} is not supported; the port is imported as TCP`);
      out.push({ port: target, ...(protocol === 'UDP' ? { protocol: 'UDP' as const } : {}) });
      if (long.published !== undefined) src.warn(where, publishedNote(String(long.published), target));
      return;
    }
    // The host address is an IPv4 address (with dots) or a bracketed IPv6 one: a bare number
    // before the colon is the published port ("8080:80"), which must be reported, not eaten.
    const m = /^(?:(?:\[[^\]]*\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?)?:)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(String(item).trim());
    if (!m) {
      src.warn(where, `"${String(item)}" is not a port such as "8080:80" or "53/udp"; it is not imported`);
      return;
    }
    const [, published, first, last, proto] = m;
    const from = Number(first);
    const to = last ? Number(last) : from;
    if (to < from || to - from >= MAX_PORT_RANGE || from < 1 || to > 65535) {
      src.warn(where, `port range ${first}-${last} is not imported: list at most ${MAX_PORT_RANGE} ports explicitly`);
      return;
    }
    const protocol = (proto ?? 'tcp').toUpperCase();
    if (protocol === 'SCTP') {
      src.warn(where, 'SCTP ports are not supported; the port is not imported');
      return;
    }
    for (let p = from; p <= to; p++) out.push({ port: p, ...(protocol === 'UDP' ? { protocol: 'UDP' as const } : {}) });
    if (published && !exposeOnly) src.warn(where, publishedNote(published, from));
  });
  return out;
}

function publishedNote(published: string, target: number): string {
  return `host port ${published} is not published: port ${target} is open to the node's networks; add an exposure to reach an HTTP port from a browser`;
}

function addPort(node: NodeInput, port: PortInput): void {
  const list = (node.ports ??= []);
  if (!list.some((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))) list.push(port);
}

function mounts(src: YamlSource, at: Path, volumes: Map<string, string>): MountInput[] {
  if (!src.isSeq(at)) {
    src.warn(at, '`volumes` must be a list; it is not imported');
    return [];
  }
  const out: MountInput[] = [];
  (src.value(at) as unknown[]).forEach((item, i) => {
    const where: Path = [...at, i];
    let type: string;
    let source: string | undefined;
    let target: string | undefined;
    let readOnly = false;
    if (item && typeof item === 'object') {
      const long = item as { type?: unknown; source?: unknown; target?: unknown; read_only?: unknown };
      type = String(long.type ?? 'volume');
      source = long.source === undefined ? undefined : String(long.source);
      target = long.target === undefined ? undefined : String(long.target);
      readOnly = long.read_only === true;
    } else {
      const parts = String(item).split(':');
      if (parts.length === 1) {
        type = 'anonymous';
        target = parts[0];
      } else {
        source = parts[0];
        target = parts[1];
        readOnly = (parts[2] ?? '').split(',').includes('ro');
        type = /^[./~]/.test(source ?? '') || (source ?? '').includes('/') ? 'bind' : 'volume';
      }
    }
    if (type === 'bind') {
      src.warn(where, `bind mount of "${source}" is not represented: host folders do not exist in the cluster; put small files in the node's \`files\` or use a volume`);
      return;
    }
    if (type === 'anonymous' || (type === 'volume' && !source)) {
      src.warn(where, `anonymous volume at "${target}" is not represented: declare a named volume to keep its data`);
      return;
    }
    if (type !== 'volume') {
      src.warn(where, `${type} mount at "${target}" is not represented`);
      return;
    }
    const volume = volumes.get(source!);
    if (!volume) {
      src.warn(where, `volume "${source}" is not declared under the top-level \`volumes\`; it is not imported`);
      return;
    }
    if (!target?.startsWith('/')) {
      src.warn(where, `mount target "${target}" is not an absolute path; it is not imported`);
      return;
    }
    out.push({ volume, mountPath: target, ...(readOnly ? { readOnly: true } : {}) });
  });
  return out;
}

function deploy(src: YamlSource, at: Path, node: NodeInput): void {
  for (const key of src.keys(at)) {
    if (key !== 'resources') {
      src.warn([...at, key], `deploy \`${key}\` is not represented: a node is one instance`);
      continue;
    }
    for (const kind of src.keys([...at, 'resources'])) {
      const where: Path = [...at, 'resources', kind];
      if (kind !== 'limits' && kind !== 'reservations') {
        src.warn(where, `deploy.resources \`${kind}\` is not represented`);
        continue;
      }
      for (const field of src.keys(where)) {
        const value = src.value([...where, field]);
        const set = kind === 'limits' ? setLimit : setRequest;
        if (field === 'cpus' && dockerCpus(value)) set(node, 'cpu', dockerCpus(value)!);
        else if (field === 'memory' && dockerMemory(value)) set(node, 'memory', dockerMemory(value)!);
        else src.warn([...where, field], `\`${field}: ${String(value)}\` is not imported`);
      }
    }
  }
}

function setLimit(node: NodeInput, what: 'cpu' | 'memory', value: string): void {
  const r = (node.resources ??= {});
  (r.limits ??= {})[what] = value;
}

function setRequest(node: NodeInput, what: 'cpu' | 'memory', value: string): void {
  const r = (node.resources ??= {});
  (r.requests ??= {})[what] = value;
}
