/**
 * Edits of a node's lists and groups (ports and their exposures, mounts, files, environment,
 * resources, command lines) as pure Doc → Doc functions, beside the rest of the document model.
 * The inspector only says which edit; each function reads the node from the doc it is given, so
 * an edit never builds on a stale copy from the last render. Emptied lists and groups are
 * removed, as the lab format writes "unset".
 */
import type { LabNode, NodeKind } from '../../../common/lab/schema';
import { mapNode, prune, type Doc } from './doc';

type Port = NonNullable<LabNode['ports']>[number];
type Mount = NonNullable<LabNode['volumes']>[number];
type LabFile = NonNullable<LabNode['files']>[number];

const replaceAt = <T,>(list: T[] | undefined, index: number, fn: (x: T) => T): T[] | undefined => list?.map((x, i) => (i === index ? fn(x) : x));
const removeAt = <T,>(list: T[] | undefined, index: number): T[] | undefined => list?.filter((_, i) => i !== index);
const findNode = (doc: Doc, name: string) => doc.lab.nodes.find((n) => n.name === name);
/** Edits a node and drops what the edit emptied. */
const editNode = (doc: Doc, name: string, fn: (n: LabNode) => LabNode): Doc => mapNode(doc, name, (n) => prune(fn(n)));

export function setKind(doc: Doc, name: string, kind: NodeKind): Doc {
  return editNode(doc, name, (n) => {
    // Fields the other kind does not have go, so switching never leaves an invalid node behind.
    if (kind === 'vm') return { ...n, kind, desktop: undefined, command: undefined, args: undefined, security: undefined };
    const resources = n.resources && prune({ ...n.resources, disk: undefined });
    return { ...n, kind, resources };
  });
}

/** Command and args are edited as one entry per line. */
export const linesOf = (list: string[] | undefined): string => (list ?? []).join('\n');

export function setLines(doc: Doc, name: string, field: 'command' | 'args', text: string): Doc {
  return editNode(doc, name, (n) => ({ ...n, [field]: text === '' ? undefined : text.split('\n') }));
}

export function detachNetwork(doc: Doc, name: string, network: string): Doc {
  return editNode(doc, name, (n) => ({ ...n, networks: n.networks?.filter((x) => x !== network) }));
}

/** The common service ports first: what an instructor most likely adds next. */
const LIKELY_PORTS = [80, 443, 8080, 22, 5432, 3306, 8000];

export function nextPort(used: number[]): number {
  return LIKELY_PORTS.find((p) => !used.includes(p)) ?? Math.max(1024, ...used) + 1;
}

export function addPort(doc: Doc, name: string): Doc {
  return editNode(doc, name, (n) => ({ ...n, ports: [...(n.ports ?? []), { port: nextPort((n.ports ?? []).map((p) => p.port)) }] }));
}

const isTcp = (p: Port) => (p.protocol ?? 'TCP') === 'TCP';

/**
 * Exposures name a node's TCP port by number. When the port they name goes away (renumbered,
 * switched to UDP, removed) they follow it to its new number, or go too.
 */
function exposuresFollow(doc: Doc, name: string, from: number, to: number | null): Doc {
  const node = findNode(doc, name);
  if (node?.ports?.some((p) => isTcp(p) && p.port === from)) return doc;
  const exposedAtTarget = to !== null && doc.lab.exposures.some((e) => e.node === name && e.port === to);
  const exposures = doc.lab.exposures.flatMap((e) => {
    if (e.node !== name || e.port !== from) return [e];
    return to === null || exposedAtTarget ? [] : [{ ...e, port: to }];
  });
  return { ...doc, lab: { ...doc.lab, exposures } };
}

export function updatePort(doc: Doc, name: string, index: number, patch: Partial<Port>): Doc {
  const before = findNode(doc, name)?.ports?.[index];
  if (!before) return doc;
  const after = prune({ ...before, ...patch });
  const next = editNode(doc, name, (n) => ({ ...n, ports: replaceAt(n.ports, index, () => after) }));
  if (!isTcp(before) || (isTcp(after) && after.port === before.port)) return next;
  return exposuresFollow(next, name, before.port, isTcp(after) ? after.port : null);
}

export function removePort(doc: Doc, name: string, index: number): Doc {
  const before = findNode(doc, name)?.ports?.[index];
  if (!before) return doc;
  const next = editNode(doc, name, (n) => ({ ...n, ports: removeAt(n.ports, index) }));
  return isTcp(before) ? exposuresFollow(next, name, before.port, null) : next;
}

/** Exposes a node's TCP port over HTTP (an Ingress), or stops exposing it. */
export function setExposed(doc: Doc, name: string, port: number, on: boolean): Doc {
  const others = doc.lab.exposures.filter((e) => !(e.node === name && e.port === port));
  return { ...doc, lab: { ...doc.lab, exposures: on ? [...others, { node: name, port }] : others } };
}

export function setExposurePath(doc: Doc, name: string, port: number, path: string): Doc {
  const exposures = doc.lab.exposures.map((e) => (e.node === name && e.port === port ? prune({ ...e, path: path || undefined }) : e));
  return { ...doc, lab: { ...doc.lab, exposures } };
}

export function updateMount(doc: Doc, name: string, index: number, patch: Partial<Mount>): Doc {
  return editNode(doc, name, (n) => ({ ...n, volumes: replaceAt(n.volumes, index, (m) => prune({ ...m, ...patch })) }));
}

export function removeMount(doc: Doc, name: string, index: number): Doc {
  return editNode(doc, name, (n) => ({ ...n, volumes: removeAt(n.volumes, index) }));
}

export function addFile(doc: Doc, name: string): Doc {
  return editNode(doc, name, (n) => {
    const taken = new Set((n.files ?? []).map((f) => f.path));
    let i = (n.files?.length ?? 0) + 1;
    while (taken.has(`/etc/lab-file-${i}`)) i++;
    return { ...n, files: [...(n.files ?? []), { path: `/etc/lab-file-${i}`, content: '' }] };
  });
}

export function updateFile(doc: Doc, name: string, index: number, patch: Partial<LabFile>): Doc {
  return editNode(doc, name, (n) => ({ ...n, files: replaceAt(n.files, index, (f) => prune({ ...f, ...patch })) }));
}

/** File modes are written in octal (0644); text that is not octal leaves the mode unset. */
export const fileModeText = (mode: number | undefined): string => (mode === undefined ? '' : mode.toString(8).padStart(4, '0'));

export function setFileMode(doc: Doc, name: string, index: number, text: string): Doc {
  const mode = /^[0-7]+$/.test(text.trim()) ? parseInt(text.trim(), 8) : undefined;
  return updateFile(doc, name, index, { mode });
}

export function removeFile(doc: Doc, name: string, index: number): Doc {
  return editNode(doc, name, (n) => ({ ...n, files: removeAt(n.files, index) }));
}

/** One edit of a key/value list, as its form reports it. */
export type RowEdit = { type: 'add' } | { type: 'key'; index: number; key: string } | { type: 'value'; index: number; value: string } | { type: 'remove'; index: number };

/** Edits the environment as rows of the mapping, in its order. */
export function editEnv(doc: Doc, name: string, edit: RowEdit): Doc {
  return editNode(doc, name, (n) => {
    const rows = Object.entries(n.env ?? {});
    let next: [string, string][];
    if (edit.type === 'add') next = [...rows, [unusedVariable(rows), '']];
    else if (edit.type === 'remove') next = rows.filter((_, i) => i !== edit.index);
    else if (edit.type === 'key') next = rows.map((r, i) => (i === edit.index ? [edit.key, r[1]] : r));
    else next = rows.map((r, i) => (i === edit.index ? [r[0], edit.value] : r));
    return { ...n, env: Object.fromEntries(next) };
  });
}

const unusedVariable = (rows: [string, string][]) => {
  for (let i = 1; ; i++) if (!rows.some(([k]) => k === `VAR_${i}`)) return `VAR_${i}`;
};

/** Sets a request or limit; an empty value unsets it (and the group, once empty). */
export function setResource(doc: Doc, name: string, group: 'requests' | 'limits', resource: 'cpu' | 'memory', value: string): Doc {
  return editNode(doc, name, (n) => {
    const values = prune({ ...n.resources?.[group], [resource]: value.trim() || undefined });
    return { ...n, resources: prune({ ...n.resources, [group]: values }) };
  });
}

/** A VM's extra scratch disk; empty unsets it. */
export function setDisk(doc: Doc, name: string, value: string): Doc {
  return editNode(doc, name, (n) => ({ ...n, resources: prune({ ...n.resources, disk: value.trim() || undefined }) }));
}

type Security = NonNullable<LabNode['security']>;

/**
 * Who the node runs as: 'default' (user 1000), 'root', or a user id as typed. Capabilities go
 * with root (they do nothing for another user), so leaving root drops them.
 */
export function setUser(doc: Doc, name: string, value: string): Doc {
  return editNode(doc, name, (n) => {
    const trimmed = value.trim();
    // Anything else than a whole number stays as typed, so validation names the field rather than the edit losing it.
    const user = (trimmed === 'root' ? 'root' : trimmed === '' || trimmed === 'default' ? undefined : /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed) as Security['user'];
    const security: Security = { ...n.security, user, ...(user === 'root' ? {} : { capabilities: undefined }) };
    return { ...n, security: prune(security) };
  });
}

export function setCapability(doc: Doc, name: string, capability: string, on: boolean): Doc {
  return editNode(doc, name, (n) => {
    const now = (n.security?.capabilities ?? []).filter((c) => c !== capability);
    const capabilities = on ? [...now, capability] : now;
    return { ...n, security: prune({ ...n.security, capabilities: capabilities.length ? capabilities : undefined }) };
  });
}

export function setToken(doc: Doc, name: string, on: boolean): Doc {
  return editNode(doc, name, (n) => ({ ...n, security: prune({ ...n.security, serviceAccountToken: on || undefined }) }));
}
