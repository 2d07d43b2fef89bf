/**
 * When the class view counts a student as ready. A namespace shows its nodes as its workloads
 * are written, so right after a publish starts a namespace may show none or some of them; it
 * is ready only once it shows every node its release's other students show, all of them ready.
 * (Comparing within a release keeps a class with students on two releases from marking the
 * ones on the smaller lab as missing nodes.)
 */
export interface ReadinessRow {
  release: string;
  phase: 'Active' | 'Terminating';
  nodes: Record<string, { state: string }>;
}

/** A predicate over the rows of one class: true for a student who is not ready. */
export function notReadyIn<R extends ReadinessRow>(rows: readonly R[]): (row: R) => boolean {
  const expected = new Map<string, Set<string>>();
  for (const r of rows) {
    const nodes = expected.get(r.release) ?? new Set<string>();
    for (const n of Object.keys(r.nodes)) nodes.add(n);
    expected.set(r.release, nodes);
  }
  return (r) => {
    if (r.phase !== 'Active') return true;
    const want = expected.get(r.release)!;
    // No node at all is not ready: its workloads are not written yet (a lab has at least one node).
    if (want.size === 0) return true;
    for (const n of want) if (r.nodes[n]?.state !== 'ready') return true;
    return false;
  };
}

export interface HoldingRow extends ReadinessRow {
  nodes: Record<string, { state: string; reason?: string }>;
  /** Set when the lab is suspended: stopped on purpose, so it holds nothing back. */
  suspended?: unknown;
}

/**
 * What keeps the class from being ready, in words, for the dashboard's header: per lab node,
 * how many students wait for it and the most common reason ("router: 3 students, starting
 * (ContainerCreating)"), the node holding back most students first. Empty when all are ready.
 * Suspended labs are left out: they are stopped on purpose and the row says so.
 */
export function holdingBack<R extends HoldingRow>(rows: readonly R[], labNodes: readonly string[]): string[] {
  const notReady = notReadyIn(rows);
  const byNode = new Map<string, { students: number; reasons: Map<string, number> }>();
  let terminating = 0;
  for (const r of rows) {
    if (!notReady(r) || (r.suspended && r.phase === 'Active')) continue;
    if (r.phase !== 'Active') {
      terminating++;
      continue;
    }
    for (const n of labNodes) {
      const cell = r.nodes[n];
      if (cell?.state === 'ready') continue;
      const entry = byNode.get(n) ?? { students: 0, reasons: new Map<string, number>() };
      entry.students++;
      const why = cell ? `${cell.state}${cell.reason ? ` (${cell.reason})` : ''}` : 'not created yet';
      entry.reasons.set(why, (entry.reasons.get(why) ?? 0) + 1);
      byNode.set(n, entry);
    }
  }
  const plural = (n: number) => `${n} student${n === 1 ? '' : 's'}`;
  const lines = [...byNode.entries()]
    .sort((a, b) => b[1].students - a[1].students)
    .map(([node, e]) => {
      const [reason] = [...e.reasons.entries()].sort((a, b) => b[1] - a[1])[0]!;
      return `${node}: ${plural(e.students)}, ${reason}`;
    });
  if (terminating) lines.push(`${plural(terminating)} being deleted`);
  return lines;
}
