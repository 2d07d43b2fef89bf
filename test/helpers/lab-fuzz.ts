// Seeded generators for lab fuzzing: random valid labs (valid by construction, for the
// property test) and mutants of valid labs and the shipped examples (for the CLI fuzz suite).
// Deterministic for a seed, so a failure is reproduced by its seed and mutant number;
// scripts/fuzz-labs.ts runs bigger batches with the same code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { LabInput } from '../../common/lab';
import { APP_ROOT } from '../../main/paths';

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number) => rng() < p;

const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
const ALNUM = [...LOWER, ...'0123456789'];

/** A DNS label of `length` characters that starts with a letter. */
function label(rng: Rng, length: number): string {
  let s = pick(rng, LOWER);
  for (let i = 1; i < length; i++) {
    const last = i === length - 1;
    s += !last && s[i - 1] !== '-' && chance(rng, 0.15) ? '-' : pick(rng, ALNUM);
  }
  return s;
}

function uniqueLabels(rng: Rng, count: number, maxLength: number, prefix: string): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(`${prefix}${label(rng, int(rng, 1, Math.max(1, maxLength - prefix.length)))}`);
  return [...out];
}

const TEXT_POOL = ['hello', 'Ünïcödé ✓', 'line one\nline two\n', 'tabs\there', 'quotes " and \'', '#!/bin/sh\necho ok\n', '$(not run) ${X}', '{"json": [1, 2]}', '', '日本語'];
const text = (rng: Rng) => Array.from({ length: int(rng, 1, 3) }, () => pick(rng, TEXT_POOL)).join(' ');

const IMAGES = ['nginx:1.27', 'busybox', 'alpine:3.20', 'ghcr.io/example/tool:v1.2.3', 'registry.local:5000/team/app@sha256:' + 'a'.repeat(64), 'quay.io/containerdisks/debian:12'];

function quantity(rng: Rng, kind: 'cpu' | 'memory'): { value: string; amount: number } {
  if (kind === 'cpu') {
    const milli = pick(rng, [50, 100, 250, 500, 1000, 1500, 2000, 4000]);
    return { value: milli % 1000 === 0 ? String(milli / 1000) : chance(rng, 0.5) ? `${milli}m` : String(milli / 1000), amount: milli };
  }
  const mi = pick(rng, [32, 64, 128, 256, 512, 1024, 2048]);
  return { value: mi % 1024 === 0 && chance(rng, 0.5) ? `${mi / 1024}Gi` : `${mi}Mi`, amount: mi };
}

function resources(rng: Rng): NonNullable<LabInput['nodes']>[number]['resources'] {
  const out: Record<string, Record<string, string>> = {};
  for (const kind of ['cpu', 'memory'] as const) {
    if (chance(rng, 0.6)) {
      const req = quantity(rng, kind);
      (out['requests'] ??= {})[kind] = req.value;
      if (chance(rng, 0.5)) {
        let lim = quantity(rng, kind);
        while (lim.amount < req.amount) lim = quantity(rng, kind);
        (out['limits'] ??= {})[kind] = lim.value;
      }
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** A random lab that breaks no rule of the lab format. */
export function randomValidLab(rng: Rng): LabInput {
  const networks = uniqueLabels(rng, int(rng, 0, 4), 20, 'net-');
  const volumes = uniqueLabels(rng, int(rng, 0, 3), chance(rng, 0.2) ? 59 : 16, 'v');
  const nodeCount = int(rng, 1, 6);
  const nodeNames = uniqueLabels(rng, nodeCount, chance(rng, 0.2) ? 63 : 12, 'n');
  const nodes: NonNullable<LabInput['nodes']> = [];
  const exposures: NonNullable<LabInput['exposures']> = [];
  // A volume is one ReadWriteOnce claim: at most one node mounts it.
  const claimed = new Set<string>();

  nodeNames.forEach((rawName, i) => {
    const vm = chance(rng, 0.2);
    // The draw comes first, so the generator makes the same labs as before apart from this.
    const mounts = volumes.filter((v) => chance(rng, 0.4) && !claimed.has(v));
    for (const v of mounts) claimed.add(v);
    // A StatefulSet's name fits its revision label: 52 characters.
    const name = !vm && mounts.length > 0 ? rawName.slice(0, 52).replace(/-+$/, '') : rawName;
    const desktop = !vm && chance(rng, 0.2);
    const portNumbers = [...new Set(Array.from({ length: int(rng, 0, 4) }, () => pick(rng, [22, 80, 443, 3306, 5432, 8080, 53, 1, 65535])))];
    const ports = portNumbers.map((port, j) => ({
      port,
      ...(chance(rng, 0.3) ? { protocol: pick(rng, ['TCP', 'UDP'] as const) } : {}),
      // p<j><letters>: never a generated name (tcp-80, vnc) nor another port's.
      ...(chance(rng, 0.4) ? { name: `p${j}${label(rng, int(rng, 1, 10)).replace(/-/g, 'x')}` } : {}),
    }));
    const fileCount = vm ? int(rng, 0, 1) : int(rng, 0, 3);
    const files = Array.from({ length: fileCount }, (_, j) => ({
      path: `/etc/lab${i}/f${j}-${label(rng, int(rng, 1, 8))}.txt`,
      content: vm ? pick(rng, TEXT_POOL) : text(rng),
      ...(chance(rng, 0.5) ? { mode: int(rng, 0, 0o777) } : {}),
    }));
    const node: NonNullable<LabInput['nodes']>[number] = {
      name,
      kind: vm ? 'vm' : 'container',
      image: vm ? 'quay.io/containerdisks/debian:12' : pick(rng, IMAGES),
      ...(chance(rng, 0.3) ? { title: text(rng).slice(0, 200) } : {}),
      ...(!vm && chance(rng, 0.3) ? { command: ['/bin/sh', '-c'], args: [text(rng)] } : {}),
      ...(chance(rng, 0.4) ? { env: Object.fromEntries(uniqueLabels(rng, int(rng, 1, 3), 8, 'E').map((k) => [k.toUpperCase().replace(/-/g, '_'), text(rng)])) } : {}),
      ...(ports.length ? { ports } : {}),
      ...(chance(rng, 0.6) ? { resources: resources(rng) } : {}),
      ...(networks.length && chance(rng, 0.8) ? { networks: networks.filter(() => chance(rng, 0.6)) } : {}),
      ...(mounts.length ? { volumes: mounts.map((volume, j) => ({ volume, mountPath: `/mnt/d${j}`, ...(chance(rng, 0.3) ? { readOnly: true } : {}) })) } : {}),
      ...(files.length ? { files } : {}),
      ...(desktop ? { desktop: true } : {}),
      ...(chance(rng, 0.3) ? { setup: vm ? 'echo ready' : `#!/bin/sh\n${text(rng)}\n` } : {}),
    };
    if (vm && chance(rng, 0.3)) node.resources = { ...node.resources, disk: pick(rng, ['1Gi', '10Gi', '512Mi']) };
    if (desktop) node.ports = ports.filter((p) => p.port !== 5900);
    nodes.push(node);
    for (const p of ports) {
      if ((p.protocol ?? 'TCP') === 'TCP' && chance(rng, 0.3)) {
        exposures.push({ node: name, port: p.port, ...(chance(rng, 0.5) ? { path: pick(rng, ['/', '/app', '/app/', '/a_b/c-d']) } : {}) });
      }
    }
  });

  return {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: label(rng, int(rng, 1, 40)), ...(chance(rng, 0.5) ? { title: text(rng).slice(0, 256) } : {}) },
    nodes,
    networks: networks.map((n) => ({ name: n, ...(chance(rng, 0.3) ? { title: text(rng).slice(0, 100) } : {}) })),
    volumes: volumes.map((v) => ({ name: v, size: pick(rng, ['1Gi', '100Mi', '2Gi']), ...(chance(rng, 0.2) ? { storageClass: 'standard' } : {}) })),
    exposures,
    ...(chance(rng, 0.3) ? { layout: { nodes: Object.fromEntries(nodes.map((n, k) => [n.name, { x: k * 100, y: 50 }])) } } : {}),
  };
}

/** Values that break something: types, ranges, names, paths, quantities, escapes, sizes. */
const HOSTILE: readonly unknown[] = [
  '', ' ', ' 1Gi', '1Gi ', '1e21', '1e400', '-1', '+1', '0', '0.0000001', '1.', '.5', '5Ei', '99999999999999999999', 'NaN', 'Infinity',
  '1abc', '-abc', 'abc-', 'a--b', 'ABC', 'vnc', 'tcp-80', 'a'.repeat(53), 'a'.repeat(64), 'x'.repeat(300),
  '/a//b', '/a/../b', '/..', '/./x', '/a/%2Fb', '/%2e%2e/x', '/', 'relative/path', '/proc/self', '/dev/null', '/data/', '/opt/labforge/setup.sh',
  '\u001b[2J\u001b[H', 'lab.yaml:1:1: forged error\n', 'nul\u0000inside', '\u202eevil', 'line\r\nbreak',
  0, -1, 1.5, 65536, 5900, 80, 1e308, -0, true, false, null, [], {}, ['a'], { x: 1 },
];

type Path = (string | number)[];

/** Every place in a document: each mapping value and list entry, with its path. */
function places(doc: unknown): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path) => {
    if (path.length) out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return out;
}

function parentOf(doc: unknown, path: Path): Record<string | number, unknown> | undefined {
  let v = doc as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) v = v[p] as Record<string | number, unknown>;
  return v && typeof v === 'object' ? v : undefined;
}

export interface Mutant {
  id: number;
  /** What was done, for failure reports. */
  how: string;
  text: string;
}

type Mutation = (doc: unknown, text: string, rng: Rng) => { doc?: unknown; text?: string; how: string };

const valueMutations: Mutation[] = [
  (doc, _t, rng) => {
    const at = pick(rng, places(doc));
    const value = pick(rng, HOSTILE);
    parentOf(doc, at)![at[at.length - 1]!] = structuredClone(value);
    return { doc, how: `set ${at.join('.')} to ${JSON.stringify(value)?.slice(0, 40)}` };
  },
  (doc, _t, rng) => {
    const at = pick(rng, places(doc));
    const parent = parentOf(doc, at)!;
    if (Array.isArray(parent)) parent.splice(at[at.length - 1] as number, 1);
    else delete parent[at[at.length - 1]!];
    return { doc, how: `deleted ${at.join('.')}` };
  },
  (doc, _t, rng) => {
    // Duplicate a list entry: duplicate names, ports, mounts, files, exposures.
    const lists = places(doc).filter((p) => Array.isArray(parentOf(doc, p)));
    if (!lists.length) return { doc, how: 'no list to duplicate in' };
    const at = pick(rng, lists);
    const parent = parentOf(doc, at) as unknown as unknown[];
    parent.push(structuredClone(parent[at[at.length - 1] as number]));
    return { doc, how: `duplicated ${at.join('.')}` };
  },
  (doc, _t, rng) => {
    const maps = [[], ...places(doc)].filter((p) => {
      const v = p.length ? parentOf(doc, p)![p[p.length - 1]!] : doc;
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const at = pick(rng, maps);
    const target = (at.length ? parentOf(doc, at)![at[at.length - 1]!] : doc) as Record<string, unknown>;
    const key = pick(rng, ['extra', 'Name', 'ports ', '\u001b[31mred', 'x\nforged.yaml:9:9: fake', '__proto__', 'constructor']);
    target[key] = pick(rng, HOSTILE);
    return { doc, how: `added key ${JSON.stringify(key)} at ${at.join('.') || '(root)'}` };
  },
  (doc, _t, rng) => {
    // A large value: file content over a ConfigMap, a huge title, many ports.
    const nodes = (doc as { nodes?: Record<string, unknown>[] }).nodes;
    const node = Array.isArray(nodes) && nodes.length ? pick(rng, nodes) : undefined;
    if (!node || typeof node !== 'object') return { doc, how: 'no node to grow' };
    const which = int(rng, 0, 3);
    if (which === 0) node['files'] = [{ path: '/big', content: 'x'.repeat(int(rng, 1000, 1_200_000)) }];
    else if (which === 1) node['title'] = 'T'.repeat(300_000);
    else if (which === 2) node['ports'] = Array.from({ length: int(rng, 90, 1200) }, (_, i) => ({ port: i + 1 }));
    else node['setup'] = 'echo setup\n'.repeat(int(rng, 100, 400));
    return { doc, how: `grew node (${which})` };
  },
];

const textMutations: Mutation[] = [
  (_d, text, rng) => ({ text: text.slice(0, int(rng, 0, text.length)), how: 'truncated' }),
  (_d, text, rng) => {
    const at = int(rng, 0, text.length);
    const junk = pick(rng, ['\t', '\u0000', '\u001b[2J', ': :', '- - -', '{', ']', '&a', '*nowhere', '!!binary x', '"unterminated', '\n  bad: indent', '\ufeff', '%YAML 1.1\n---\n', '\n---\nsecond: doc\n']);
    return { text: text.slice(0, at) + junk + text.slice(at), how: `inserted ${JSON.stringify(junk)} at ${at}` };
  },
  (_d, text, rng) => {
    const lines = text.split('\n');
    const i = int(rng, 0, lines.length - 1);
    if (chance(rng, 0.5)) lines.splice(i, 0, lines[i]!);
    else lines.splice(i, 1);
    return { text: lines.join('\n'), how: `duplicated or removed line ${i + 1}` };
  },
  (_d, text, rng) => {
    const which = int(rng, 0, 5);
    if (which === 0) {
      const rows = ['a: &a [x,x,x,x,x,x,x,x,x]'];
      for (const [p, c] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) rows.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
      return { text: `${text}\nbomb:\n${rows.map((r) => `  ${r}`).join('\n')}\n`, how: 'alias bomb' };
    }
    if (which === 1) return { text: `${text}\nextra: ${'['.repeat(int(rng, 65, 30_000))}\n`, how: 'deep flow nesting' };
    if (which === 2) return { text: `${text}\nextra: [${'1,'.repeat(int(rng, 1001, 200_000))}1]\n`, how: 'long flow list' };
    if (which === 3) return { text: `${text}\n# ${'x'.repeat(int(rng, 4 * 2 ** 20 - 100, 5 * 2 ** 20))}\n`, how: 'over the size limit' };
    if (which === 4) {
      const bytes = Array.from({ length: int(rng, 100, 200_000) }, () => String.fromCharCode(int(rng, 0, 255))).join('');
      return { text: bytes, how: 'binary' };
    }
    return { text: text.replace(/\n/g, '\r\n'), how: 'CRLF line ends' };
  },
];

function baseTexts(rng: Rng, count: number): string[] {
  const dir = join(APP_ROOT, 'resources', 'examples');
  const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(dir, f), 'utf8'));
  return [...examples, ...Array.from({ length: count }, () => stringify(randomValidLab(rng)))];
}

/** `count` mutants of the examples and of random valid labs: one to three mutations each. */
export function labMutants(seed: number, count: number): Mutant[] {
  const rng = seededRng(seed);
  const bases = baseTexts(rng, 20);
  const out: Mutant[] = [];
  for (let id = 0; id < count; id++) {
    let text = pick(rng, bases);
    const hows: string[] = [];
    // Value mutations work on the document; once the text itself is mangled (it may nest
    // deep enough to exhaust the YAML composer of this very process) only text mutations follow.
    let structured = true;
    for (let k = int(rng, 1, 3); k > 0; k--) {
      const doc: unknown = structured ? parse(text) : undefined;
      const useValue = structured && doc !== null && typeof doc === 'object' && chance(rng, 0.7);
      const m = useValue ? pick(rng, valueMutations)(doc, text, rng) : pick(rng, textMutations)(doc, text, rng);
      if (!useValue) structured = false;
      text = m.text ?? stringify(m.doc, { lineWidth: 0 });
      hows.push(m.how);
    }
    out.push({ id, how: hows.join('; '), text });
  }
  return out;
}
