/**
 * Zones: one class spread over several clusters. A zones file names kubeconfig contexts with a
 * capacity or weight and per-zone values (ingress domain, storage class, image mirror). Which
 * zone a student lands in is decided once and then kept: students already placed stay where
 * they are; new ones go where the load relative to weight is lowest, so a class spreads by
 * capacity and re-publishing never moves anyone.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { DNS_LABEL } from '../../common/lab/dns-label';
import type { Lab } from '../../common/lab';
import { aliasIssue } from '../../common/lab/parse';

const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const MIRROR = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

export const zoneSchema = z.strictObject({
  name: z.string().regex(DNS_LABEL, { error: 'name must be a DNS-1123 label such as "eu-1"' }).max(20, { error: 'name must be at most 20 characters' }),
  context: z.string().min(1, { error: 'context must name a kubeconfig context' }).optional(),
  kubeconfig: z.string().min(1).optional(),
  capacity: z.number().int({ error: 'capacity must be a whole number of students' }).min(1, { error: 'capacity must be at least 1' }).max(10_000).optional(),
  weight: z.number().positive({ error: 'weight must be a positive number' }).max(1_000_000).optional(),
  domain: z.string().regex(DOMAIN, { error: 'domain must be a DNS name such as "labs.example.edu"' }).optional(),
  storageClass: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: 'storageClass must be a StorageClass name' }).optional(),
  imageMirror: z.string().regex(MIRROR, { error: 'imageMirror must be a registry host with an optional path, e.g. "mirror.example.edu:5000/hub"' }).optional(),
});

const zonesFileSchema = z.strictObject({
  zones: z
    .array(zoneSchema)
    .min(1, { error: 'zones must list at least one zone' })
    .max(32, { error: 'at most 32 zones' })
    .superRefine((zones, ctx) => {
      const seen = new Set<string>();
      zones.forEach((zone, i) => {
        if (seen.has(zone.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `zone name "${zone.name}" is used twice` });
        seen.add(zone.name);
      });
    }),
});

export type Zone = z.infer<typeof zoneSchema>;

export interface ZonesIssue {
  path: string;
  message: string;
  line: number;
  column: number;
}

export type ZonesResult =
  /** `at`: each zone's kubeconfig value (or the zone itself when it has none), for later checks of it. */
  | { ok: true; zones: Zone[]; at: { line: number; column: number }[] }
  | { ok: false; issues: ZonesIssue[] };

/** Parses a zones file (YAML), every problem with its line:column. */
export function parseZonesFile(text: string): ZonesResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length) return { ok: false, issues: doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, ...at(e.pos[0]) })) };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // An alias bomb or an alias to nothing: said at the alias, as the lab parser says it.
    const issue = aliasIssue(doc, err, at);
    return { ok: false, issues: [{ path: '(document)', message: issue.message, line: issue.line ?? 1, column: issue.column ?? 1 }] };
  }
  const parsed = zonesFileSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, zones: parsed.data.zones, at: parsed.data.zones.map((_, i) => at(kubeconfigNode(doc.contents, i)?.range?.[0])) };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => {
      let node: unknown = doc.contents;
      let keyNode: Node | undefined;
      for (const key of issue.path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
          keyNode = (pair?.key as Node | undefined) ?? keyNode;
          node = pair?.value;
        } else if (isSeq(node) && typeof key === 'number') {
          node = node.items[key];
          keyNode = node as Node | undefined;
        } else break;
      }
      // An unknown key is reported at the key itself.
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      if (unknown !== undefined && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === unknown);
        if (pair) keyNode = pair.key as Node;
      }
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      const message = unknown !== undefined ? `unknown field "${unknown}"; zones take name, context, kubeconfig, capacity, weight, domain, storageClass, imageMirror` : issue.message;
      return { path: path || '(document)', message, ...at((keyNode as Node | undefined)?.range?.[0] ?? (isMap(node) || isSeq(node) ? (node as Node).range?.[0] : undefined)) };
    }),
  };
}

/** Zone `i`'s kubeconfig value node, else the zone's own node. */
function kubeconfigNode(contents: unknown, i: number): Node | undefined {
  if (!isMap(contents)) return undefined;
  const list = contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'zones')?.value;
  const zone = isSeq(list) ? (list.items[i] as Node | undefined) : undefined;
  if (!isMap(zone)) return zone;
  const value = zone.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'kubeconfig')?.value;
  return (value as Node | undefined) ?? zone;
}

const zoneWeight = (zone: Zone): number => zone.weight ?? zone.capacity ?? 1;

/**
 * Places students in zones. Students in `previous` whose zone still exists stay there; each new
 * student (in roster order) goes to the zone with the lowest (placed + 1) / weight among those
 * with room, ties to the earlier zone. Throws if the class does not fit the zones' capacities.
 */
export function assignZones(studentIds: readonly string[], zones: readonly Zone[], previous: Readonly<Record<string, string>> = {}): Record<string, string> {
  const names = new Set(zones.map((z) => z.name));
  const count = new Map(zones.map((z) => [z.name, 0]));
  const out: Record<string, string> = {};
  for (const id of studentIds) {
    const zone = previous[id];
    if (zone !== undefined && names.has(zone)) {
      out[id] = zone;
      count.set(zone, count.get(zone)! + 1);
    }
  }
  for (const id of studentIds) {
    if (out[id] !== undefined) continue;
    let best: Zone | undefined;
    let bestLoad = Infinity;
    for (const zone of zones) {
      const placed = count.get(zone.name)!;
      if (zone.capacity !== undefined && placed >= zone.capacity) continue;
      const load = (placed + 1) / zoneWeight(zone);
      if (load < bestLoad) {
        best = zone;
        bestLoad = load;
      }
    }
    if (!best) {
      const total = zones.reduce((sum, z) => sum + (z.capacity ?? Infinity), 0);
      throw new Error(`the class has ${studentIds.length} students but the zones hold ${total}; raise a zone's capacity or add a zone`);
    }
    out[id] = best.name;
    count.set(best.name, count.get(best.name)! + 1);
  }
  return out;
}

/**
 * An image reference as pulled through a mirror: the registry is replaced by the mirror, and
 * Docker Hub's short names get their implicit `library/` (what a pull-through cache expects).
 */
export function mirrorImage(image: string, mirror: string): string {
  const first = image.split('/')[0]!;
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasRegistry ? image.slice(first.length + 1) : image.includes('/') ? image : `library/${image}`;
  return `${mirror.replace(/\/+$/, '')}/${path}`;
}

/** The lab as one zone runs it: images through the zone's mirror, volumes on its storage class. */
export function zoneLab(lab: Lab, zone: Zone): Lab {
  if (!zone.imageMirror && !zone.storageClass) return lab;
  return {
    ...lab,
    nodes: lab.nodes.map((n) => (zone.imageMirror ? { ...n, image: mirrorImage(n.image, zone.imageMirror) } : n)),
    volumes: lab.volumes.map((v) => (zone.storageClass ? { ...v, storageClass: zone.storageClass } : v)),
  };
}
