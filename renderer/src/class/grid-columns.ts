/**
 * A CSS grid-template-columns value from fixed columns and "one column per item" runs. A run of
 * zero items is left out: `repeat(0, …)` is invalid CSS, and the browser then drops the whole
 * template, stacking every cell of a row in one column (the garbled checks table of a lab
 * without checks, the class grid of a lab without nodes).
 */
export type Column = string | { count: number; size: string };

export function gridColumns(columns: readonly Column[]): string {
  return columns
    .filter((c) => typeof c === 'string' || c.count > 0)
    .map((c) => (typeof c === 'string' ? c : `repeat(${c.count}, ${c.size})`))
    .join(' ');
}
