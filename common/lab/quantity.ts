/**
 * Kubernetes resource quantities ("500m", "1.5", "128Mi", "1G", "2e3"), parsed exactly enough
 * to compare requests with limits and to add them up for quotas. Values are kept as numbers
 * in base units (cores for cpu, bytes for memory and storage).
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Returns the value in base units, or undefined when the string is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * (BINARY[m[2]] ?? DECIMAL[m[2]] ?? NaN);
  if (m[3] !== undefined) return base * 10 ** Number(m[3]);
  return base;
}

/**
 * The quantities a lab may write: Kubernetes' grammar without a sign, surrounding spaces or a
 * bare leading or trailing dot, and with a bounded number of digits, so whatever passes is
 * emitted as it was written and the API server reads the same value.
 */
const LAB_QUANTITY = /^\d{1,18}(?:\.\d{1,9})?(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d{1,2})?$/;

export function isQuantity(text: string): boolean {
  if (!LAB_QUANTITY.test(text)) return false;
  const v = parseQuantity(text);
  return v !== undefined && Number.isFinite(v) && v >= 0;
}

export type QuantityKind = 'cpu' | 'memory' | 'storage';

const MI = 2 ** 20;
/**
 * The range a lab value may take. Below the minimum nothing runs (a container cannot start in
 * less than a megabyte; Kubernetes rounds cpu below 1m up to 1m); above the maximum no node
 * can hold it, and the sums the quota is built from stay exact in a double (200 nodes × 4Ti,
 * 200 volumes × 16Ti are far below 2^53).
 */
const QUANTITY_RANGE: Record<QuantityKind, { min: number; max: number; minText: string; maxText: string }> = {
  cpu: { min: 0.001, max: 1000, minText: '1m', maxText: '1000' },
  memory: { min: MI, max: 4 * 2 ** 40, minText: '1Mi', maxText: '4Ti' },
  storage: { min: MI, max: 16 * 2 ** 40, minText: '1Mi', maxText: '16Ti' },
};

/** Why `text` is not a usable lab quantity of this kind, or undefined when it is. */
export function quantityProblem(text: string, kind: QuantityKind): string | undefined {
  const example = kind === 'cpu' ? '"500m" or "2"' : '"512Mi" or "2Gi"';
  if (text.trim() !== text) return `must not have spaces around it: write ${example}`;
  if (!isQuantity(text)) return `is not a valid quantity: write e.g. ${example}`;
  const value = parseQuantity(text)!;
  const range = QUANTITY_RANGE[kind];
  if (value < range.min) return `is below the minimum of ${range.minText}`;
  if (value > range.max) return `is above the maximum of ${range.maxText}`;
  return undefined;
}

/** Formats cores as a canonical cpu quantity: whole cores when exact, millicores otherwise. */
export function formatCpu(cores: number): string {
  const milli = Math.ceil(Math.round(cores * 1e6) / 1e3);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Formats bytes as the largest binary unit that divides it (rounded up to whole Mi otherwise). */
export function formatBytes(bytes: number): string {
  const units: [string, number][] = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20]];
  for (const [unit, size] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  if (bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
