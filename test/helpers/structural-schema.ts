// The structural part of a CRD schema checked in-process, for unit tests: types, required
// fields, enums, patterns, bounds, and unknown fields (refused, as strict field validation
// does). CEL rules are not evaluated here: the API server is their one evaluator, and the
// integration tests send objects to it. Test code only: the runtime relies on the API server.
import type { Schema } from '../../main/cluster/kubevirt-schema';

const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v);

export function structuralErrors(schema: Schema, value: unknown, path = ''): string[] {
  const at = path || '<root>';
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') return schema.pattern && !new RegExp(schema.pattern).test(value) ? [`${at}: "${value}" does not match ${schema.pattern}`] : [];
    return Number.isInteger(value) ? [] : [`${at}: must be an integer or a string`];
  }
  const t = typeOf(value);
  if (schema.type && t !== schema.type) return [`${at}: must be ${schema.type}, is ${t}`];
  const errors: string[] = [];
  if (typeof value === 'string') {
    if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: "${value}" is not one of ${schema.enum.join(', ')}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: "${value}" does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    value.forEach((item, i) => errors.push(...structuralErrors(schema.items ?? {}, item, `${path}[${i}]`)));
  }
  if (t === 'object' && !schema['x-kubernetes-preserve-unknown-fields']) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${path ? `${path}.` : ''}${key}: required`);
    for (const [key, v] of Object.entries(obj)) {
      // The object's own metadata is ObjectMeta, which the API server checks itself.
      if (!path && key === 'metadata') continue;
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      const p = path ? `${path}.${key}` : key;
      if (!sub) errors.push(`${p}: unknown field`);
      else errors.push(...structuralErrors(sub, v, p));
    }
  }
  return errors;
}

/** Where a schema breaks the API server's rules for structural schemas (no type, no items, ...). */
export function nonStructural(schema: Schema, path = ''): string[] {
  const at = path || '<root>';
  const out: string[] = [];
  if (schema['x-kubernetes-int-or-string']) {
    if (schema.type) out.push(`${at}: int-or-string must not have a type`);
  } else if (!schema.type) out.push(`${at}: no type`);
  if (schema.type === 'array' && !schema.items) out.push(`${at}: array without items`);
  if (schema.properties && schema.additionalProperties) out.push(`${at}: both properties and additionalProperties`);
  for (const [k, v] of Object.entries(schema.properties ?? {})) out.push(...nonStructural(v, `${path}.${k}`));
  if (schema.items) out.push(...nonStructural(schema.items, `${path}[]`));
  if (schema.additionalProperties) out.push(...nonStructural(schema.additionalProperties, `${path}{}`));
  return out;
}

/** The paths whose contents the schema keeps unchecked. */
export function opaquePaths(schema: Schema, path = ''): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields']) return [path];
  return [
    ...Object.entries(schema.properties ?? {}).flatMap(([k, v]) => opaquePaths(v, `${path}.${k}`)),
    ...(schema.items ? opaquePaths(schema.items, `${path}[]`) : []),
    ...(schema.additionalProperties ? opaquePaths(schema.additionalProperties, `${path}{}`) : []),
  ];
}
