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
