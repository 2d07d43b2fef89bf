/**
 * How a deploy ended, in one sentence for the operation panel: how many nodes are ready, and for
 * each one that is not, its state and the reason in the cluster's words. "1 of 2 nodes ready;
 * server: starting — ErrorUnschedulable: 0/1 nodes are available".
 */
export interface VerdictStatus {
  node: string;
  state: string;
  ready: boolean;
  reason?: string;
  message?: string;
}

export function deployVerdict(statuses: readonly VerdictStatus[]): string {
  const ready = statuses.filter((s) => s.ready).length;
  const held = statuses.filter((s) => !s.ready).map((s) => `${s.node}: ${holdReason(s)}`);
  return [`${ready} of ${statuses.length} node${statuses.length === 1 ? '' : 's'} ready`, ...held].join('; ');
}

/**
 * Why one node is not ready, in words: its state, then the cluster's reason and message after a
 * dash (the message often has parentheses of its own, which brackets around it nested).
 */
export function holdReason(s: VerdictStatus): string {
  const why = [s.reason, s.message].filter(Boolean).join(': ');
  return why ? `${s.state} — ${why}` : s.state === 'pending' ? 'pending — nothing reported yet' : s.state;
}
