/**
 * Foreign names (compose services, containerlab nodes and links) become lab names: DNS-1035
 * labels, because a node name is also the name of its Service. Anything changed is reported by
 * the caller, so an instructor knows why `my_web` became `my-web`.
 */

/** Node names get a margin under 63: Kubernetes derives longer names (pods, revisions) from them. */
const IMPORTED_NAME_MAX = 40;

export function toLabel(raw: string, max = IMPORTED_NAME_MAX): string {
  let s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'x';
  if (!/^[a-z]/.test(s)) s = `n-${s}`;
  if (s.length > max) s = s.slice(0, max).replace(/-+$/, '');
  return s;
}

/** Hands out unique labels: a second `web` becomes `web-2`. */
export class LabelAllocator {
  private readonly used = new Set<string>();
  constructor(private readonly max = IMPORTED_NAME_MAX) {}

  take(raw: string): string {
    const base = toLabel(raw, this.max);
    let name = base;
    for (let i = 2; this.used.has(name); i++) {
      const suffix = `-${i}`;
      name = `${base.slice(0, this.max - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.used.add(name);
    return name;
  }
}

/** Splits a command string the way a POSIX shell would split words (quotes and backslashes). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Docker's memory strings (`512m`, `1.5g`, `1073741824`) as a Kubernetes quantity in Mi. */
export function dockerMemory(value: unknown): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(value).trim());
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const mib = Math.ceil((Number(m[1]) * unit) / 1024 ** 2);
  return mib >= 1 && Number.isFinite(mib) && mib <= 16 * 1024 * 1024 ? `${mib}Mi` : undefined;
}

/** Docker's `cpus` (`0.5`, `2`) as millicores. */
export function dockerCpus(value: unknown): string | undefined {
  const n = Number(String(value).trim());
  if (!Number.isFinite(n) || n <= 0 || n > 1024) return undefined;
  return `${Math.max(1, Math.round(n * 1000))}m`;
}

/** Places imported boxes on a grid so the canvas opens readable: networks on top, volumes below. */
export function gridLayout(nodes: string[], networks: string[], volumes: string[]) {
  const col = (i: number) => 80 + (i % 4) * 240;
  const nodeRows = Math.ceil(nodes.length / 4);
  return {
    networks: Object.fromEntries(networks.map((n, i) => [n, { x: col(i), y: 40 + Math.floor(i / 4) * 100 }])),
    nodes: Object.fromEntries(nodes.map((n, i) => [n, { x: col(i), y: 100 + Math.ceil(networks.length / 4) * 100 + Math.floor(i / 4) * 180 }])),
    volumes: Object.fromEntries(
      volumes.map((n, i) => [n, { x: col(i), y: 100 + Math.ceil(networks.length / 4) * 100 + nodeRows * 180 + Math.floor(i / 4) * 100 }]),
    ),
  };
}

/**
 * A path inside a container in the one spelling the lab accepts: compose and Docker take
 * `/data/`, `/data//x` and `/data/./x`, the lab (which compares mount paths as written) does not.
 * `..` is left for validation to refuse, since dropping it would change the directory.
 */
export function canonicalPath(path: string): string {
  if (!path.startsWith('/')) return path;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}
