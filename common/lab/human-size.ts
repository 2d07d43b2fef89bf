/**
 * Quantities for people: one unit shared by the numbers shown side by side (needed beside free),
 * the largest unit that keeps them readable, at most one decimal. "23 GiB needed, 481.4 GiB
 * free", never "23Gi" against "492928Mi"; "13.2 CPUs", never "13200m".
 */
export type Resource = 'cpu' | 'memory' | 'pods';

const BYTE_UNITS: [string, number][] = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

const oneDecimal = (n: number) => {
  const r = Math.round(n * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
};

/** `values` of one resource (cpu in cores, memory in bytes, pods as a count), in one unit. */
export function humanQuantities(resource: Resource, values: readonly number[]): string[] {
  const clean = values.map((v) => Math.max(0, v));
  const largest = Math.max(0, ...clean);
  if (resource === 'pods') return clean.map((v) => `${Math.round(v)} pod${Math.round(v) === 1 ? '' : 's'}`);
  if (resource === 'cpu') {
    // Below one core everything reads better in thousandths of a CPU, as Kubernetes writes them.
    if (largest < 1) return clean.map((v) => `${Math.round(v * 1000)} mCPU`);
    return clean.map((v) => `${oneDecimal(v)} CPU${oneDecimal(v) === '1' ? '' : 's'}`);
  }
  const [unit, size] = BYTE_UNITS.find(([, s]) => largest >= s) ?? ['bytes', 1];
  return clean.map((v) => `${oneDecimal(v / size)} ${unit}`);
}
