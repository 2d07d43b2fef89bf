/**
 * docker-compose → lab, one service field at a time (compose.ts walks the file): command and
 * entrypoint words, environment, ports, volume mounts, deploy resources. Each reads its field at
 * its path and warns, at its line, about what the lab format cannot carry.
 */
import { isEnvVarName } from '../lab/kube-values';
import type { LabInput } from '../lab/schema';
import { canonicalPath, dockerCpus, dockerMemory, shellWords } from './names';
import type { YamlSource } from './source';

export type Path = (string | number)[];
export type NodeInput = LabInput['nodes'] extends (infer N)[] | undefined ? N : never;
type MountInput = NonNullable<NodeInput['volumes']>[number];

export function commandWords(value: unknown): string[] | undefined {
  if (typeof value === 'string') return shellWords(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number'].includes(typeof v))) return value.map(String);
  return undefined;
}

/** `vars`: the env file's variables, which compose also gives to entries written without a value. */
export function environment(src: YamlSource, at: Path, vars: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const put = (key: string, value: unknown, where: Path) => {
    if (!isEnvVarName(key)) {
      src.warn(where, `environment variable "${key}" is not imported: Kubernetes takes names of letters, digits, '_', '-' and '.' that do not start with a digit or ".."`);
      return;
    }
    if ((value === null || value === undefined) && Object.hasOwn(vars, key)) value = vars[key];
    if (value === null || value === undefined) {
      src.warn(where, `"${key}" takes its value from the host's environment in compose, and the env file does not set it; set a value in the lab`);
      return;
    }
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
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

/** The mounts of named volumes, each with the path of its entry (to explain a shared volume there). */
export function mounts(src: YamlSource, at: Path, volumes: Map<string, string>): { mount: MountInput; at: Path }[] {
  if (!src.isSeq(at)) {
    src.warn(at, '`volumes` must be a list; it is not imported');
    return [];
  }
  const out: { mount: MountInput; at: Path }[] = [];
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
      // An interpolated `${RO:-true}` arrives as a string.
      readOnly = long.read_only === true || long.read_only === 'true';
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
    out.push({ mount: { volume, mountPath: canonicalPath(target), ...(readOnly ? { readOnly: true } : {}) }, at: where });
  });
  return out;
}

export function deploy(src: YamlSource, at: Path, node: NodeInput): void {
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

export function setLimit(node: NodeInput, what: 'cpu' | 'memory', value: string): void {
  const r = (node.resources ??= {});
  (r.limits ??= {})[what] = value;
}

export function setRequest(node: NodeInput, what: 'cpu' | 'memory', value: string): void {
  const r = (node.resources ??= {});
  (r.requests ??= {})[what] = value;
}
