/**
 * The version hook. Each migration lifts a document from one apiVersion to the next; `migrate`
 * chains them until the current version. v1alpha1 is the first version, so the shipped table
 * is empty, but the mechanism is exercised by tests with a table of their own.
 */
import { quoteInput } from './escape';
import { API_VERSION } from './schema';

export interface Migration {
  from: string;
  to: string;
  up: (doc: Record<string, unknown>) => Record<string, unknown>;
}

export const MIGRATIONS: readonly Migration[] = [];

export type MigrateResult = { ok: true; value: Record<string, unknown>; applied: string[] } | { ok: false; message: string };

export function migrate(doc: Record<string, unknown>, migrations: readonly Migration[] = MIGRATIONS): MigrateResult {
  let current = doc;
  const applied: string[] = [];
  // Bounded by the table size so a cyclic table cannot loop forever.
  for (let step = 0; step <= migrations.length; step++) {
    const version = current['apiVersion'];
    if (version === API_VERSION) return { ok: true, value: current, applied };
    if (typeof version !== 'string') {
      return { ok: false, message: `apiVersion is required and must be "${API_VERSION}"` };
    }
    const m = migrations.find((x) => x.from === version);
    if (!m) {
      return { ok: false, message: `unsupported apiVersion ${quoteInput(version)}; this Labforge reads "${API_VERSION}" (upgrade Labforge or fix the file)` };
    }
    current = { ...m.up(current), apiVersion: m.to };
    applied.push(`${m.from} → ${m.to}`);
  }
  return { ok: false, message: 'the migration table has a cycle' };
}
