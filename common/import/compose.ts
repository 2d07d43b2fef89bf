/**
 * docker-compose → lab. Services become container nodes, named volumes lab volumes, networks
 * lab networks (compose's implicit `default` network included). What the lab format cannot
 * carry is reported as a warning at its line; nothing is dropped without a word.
 */
import { API_VERSION, KIND } from '../lab/schema';
import { commandWords, deploy, environment, mounts, setLimit, setRequest, type NodeInput, type Path } from './compose-fields';
import { interpolateCompose } from './compose-interpolate';
import { awaitedServices, lifecycleWarnings } from './compose-lifecycle';
import { addPort, ports } from './compose-ports';
import { labName as projectLabName } from './compose-project';
import { composeSecurity, SECURITY_KEYS } from './compose-security';
import { canonicalPath, dockerCpus, dockerMemory, gridLayout, LabelAllocator } from './names';
import { YamlSource, type ImportedLab, type ImportResult } from './source';


/** Volume sizes are not part of compose; this is what the lab asks for unless edited. */
export const DEFAULT_VOLUME_SIZE = '1Gi';

/** Service keys that have no equivalent, with why, so the warning helps. */
const UNREPRESENTABLE: Record<string, string> = {
  network_mode: 'nodes always get their own network namespace; host or shared networking is not available',
  pid: 'nodes cannot share the host or another container\'s process namespace',
  ipc: 'nodes cannot share the host\'s IPC namespace',
  devices: 'host devices cannot be passed to a student\'s node',
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

export interface ComposeImportOptions {
  /**
   * Variables for `${VAR}` interpolation: the `--env-file`s, or the `.env` beside the compose
   * file, read by the caller (common/ reads no files). The shell's environment is not used, so
   * an import gives the same lab whoever runs it.
   */
  env?: Readonly<Record<string, string>>;
  /** The base name of the folder holding the compose file: compose's default project name. */
  directory?: string;
  /** `-p/--project-name`: the lab's name, before anything in the file. */
  projectName?: string;
}

export function importCompose(text: string, fileName = 'docker-compose.yml', options: ComposeImportOptions = {}): ImportResult {
  const parsed = YamlSource.parse(text);
  if (Array.isArray(parsed)) return { ok: false, errors: parsed, warnings: [] };
  const src = parsed;
  const vars = options.env ?? {};
  // Before any field is read: compose interpolates the whole file first, volume paths included.
  interpolateCompose(src, vars);

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

  const labName = projectLabName(src, { fileName, directory: options.directory, projectName: options.projectName, vars });

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
  /** Which services mount each lab volume, and where, to explain a volume they share. */
  const volumeUsers = new Map<string, { service: string; at: Path }[]>();
  const awaited = awaitedServices(src);

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
    // A made-up name would import cleanly and then fail to pull in every student's namespace.
    else if (src.node([...base, 'build'])) src.error([...base, 'build'], `service "${service}" has \`build\` but no \`image\`: Labforge runs images, it does not build them; build and push the image, then give the service \`image: <registry>/<name>:<tag>\``);
    else src.error(base, `service "${service}" has neither \`image\` nor \`build\`: set the image to run`);
    const restartHandled = lifecycleWarnings(src, service, awaited);

    node.security = composeSecurity(src, base);
    for (const key of src.keys(base)) {
      const at: Path = [...base, key];
      const value = src.value(at);
      if ((SECURITY_KEYS as readonly string[]).includes(key)) continue;
      switch (key) {
        case 'image':
          break;
        case 'build':
          if (node.image) src.warn(at, `\`build\`: Labforge does not build images; the node runs "${node.image}", which must be pushed where the cluster can pull it`);
          break;
        case 'restart':
          if (!restartHandled) src.warn(at, `\`restart\`: ${UNREPRESENTABLE['restart']}`);
          break;
        case 'working_dir':
          src.warn(at, `\`working_dir\` "${canonicalPath(String(value))}": ${UNREPRESENTABLE['working_dir']}`);
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
          node.env = environment(src, at, vars);
          break;
        case 'ports':
        case 'expose':
          for (const p of ports(src, at, { exposeOnly: key === 'expose', service, node: name })) addPort(node, p);
          break;
        case 'volumes':
          for (const { mount, at: mountAt } of mounts(src, at, volumes)) {
            (node.volumes ??= []).push(mount);
            const users = volumeUsers.get(mount.volume) ?? [];
            if (!users.some((u) => u.service === service)) volumeUsers.set(mount.volume, [...users, { service, at: mountAt }]);
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

  for (const [volume, users] of volumeUsers) sharedVolumeErrors(src, volume, users);

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

/**
 * A lab volume is one ReadWriteOnce claim that a single node mounts: on a cluster of several
 * machines a second pod mounting it waits forever. Compose files share volumes freely (a web
 * server and its PHP worker on one code volume), so the error names the services, the lines and
 * what to do, at every mount after the first.
 */
function sharedVolumeErrors(src: YamlSource, volume: string, users: { service: string; at: Path }[]): void {
  if (users.length < 2) return;
  const named = users.map((u) => `"${u.service}" (line ${src.line(u.at) ?? '?'})`);
  const list = `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  for (const u of users.slice(1)) {
    src.error(u.at, `volume "${volume}" is mounted by services ${list}: a lab volume is a ReadWriteOnce claim that one node mounts, so services cannot share it; give each service its own volume, or run the containers that share files in one service`);
  }
}
