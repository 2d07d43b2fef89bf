/**
 * RFC 6902 JSON patch (add, remove, replace, test) on a copy of a document, for the in-memory
 * cluster the engine's unit tests run against. Paths are JSON pointers (RFC 6901).
 */
import type { JsonPatchOp } from './managed-fields';

export class JsonPatchError extends Error {}

export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  let root = structuredClone(doc) as unknown;
  for (const op of ops) {
    const path = pointer(op.path);
    if (path.length === 0) {
      if (op.op === 'test') {
        if (!same(root, op.value)) throw new JsonPatchError(`test failed at ${op.path}`);
      } else if (op.op === 'remove') throw new JsonPatchError('cannot remove the whole document');
      else root = structuredClone(op.value);
      continue;
    }
    const parent = resolve(root, path.slice(0, -1), op.path);
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) {
      const i = last === '-' && op.op === 'add' ? parent.length : index(last, parent.length + (op.op === 'add' ? 1 : 0), op.path);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(i, 1);
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else if (!same(parent[i], op.value)) throw new JsonPatchError(`test failed at ${op.path}`);
    } else if (isObject(parent)) {
      if (op.op !== 'add' && !(last in parent)) throw new JsonPatchError(`no value at ${op.path}`);
      if (op.op === 'remove') delete parent[last];
      else if (op.op === 'test') {
        if (!same(parent[last], op.value)) throw new JsonPatchError(`test failed at ${op.path}`);
      } else parent[last] = structuredClone(op.value);
    } else throw new JsonPatchError(`no container at ${op.path}`);
  }
  return root as T;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`"${path}" is not a JSON pointer`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(root: unknown, path: string[], full: string): unknown {
  let at = root;
  for (const p of path) {
    if (Array.isArray(at)) at = at[index(p, at.length, full)];
    else if (isObject(at) && p in at) at = at[p];
    else throw new JsonPatchError(`no value at ${full}`);
  }
  return at;
}

function index(s: string, size: number, full: string): number {
  const i = /^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : NaN;
  if (!(i < size)) throw new JsonPatchError(`index ${s} out of range at ${full}`);
  return i;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]));
  }
  return a === b;
}
