/**
 * End dates of classes as the CLI and the app take them: an ISO date or date-time
 * (`2027-01-31`, `2027-01-31T18:00Z`), or a duration from now (`90m`, `12h`, `30d`, `2w`).
 * Pure and import-free, so a command can check the flag while parsing.
 */
const UNIT = { m: 60, h: 3600, d: 86_400, w: 7 * 86_400 } as const;

/** Seconds in `90m`, `12h`, `30d`, `2w`; undefined when it is not such a duration. */
export function parseSpan(text: string): number | undefined {
  const m = /^(\d{1,6})(m|h|d|w)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT[m[2] as keyof typeof UNIT] : undefined;
}

/**
 * The end date `text` names, as ISO 8601 UTC; throws an Error saying what is accepted. A date
 * without a time ends at the end of that day (UTC): "expires 2027-01-31" keeps the 31st.
 */
export function parseEndDate(text: string, now = Date.now()): string {
  const span = parseSpan(text);
  let at: number;
  if (span !== undefined) at = now + span * 1000;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) at = Date.parse(`${text.trim()}T23:59:59Z`);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(text.trim())) at = Date.parse(text.trim());
  else at = Number.NaN;
  if (Number.isNaN(at)) throw new Error(`"${text.slice(0, 40)}" is neither a date (2027-01-31, 2027-01-31T18:00Z) nor a duration from now (90m, 12h, 30d, 2w)`);
  if (at <= now) throw new Error(`${new Date(at).toISOString()} is already past; give a later date`);
  return new Date(at).toISOString();
}

export type ExpiryState =
  | { state: 'none' }
  | { state: 'active' | 'warning'; expiresAt: string; remainingSeconds: number }
  | { state: 'expired'; expiresAt: string };

/** Where a class stands against its end date; `warning` within `warnSeconds` of it. */
export function expiryState(expiresAt: string | undefined, warnSeconds: number, now = Date.now()): ExpiryState {
  if (!expiresAt) return { state: 'none' };
  const remaining = Math.floor((Date.parse(expiresAt) - now) / 1000);
  if (remaining <= 0) return { state: 'expired', expiresAt };
  return { state: remaining <= warnSeconds ? 'warning' : 'active', expiresAt, remainingSeconds: remaining };
}

/** "3d 4h", "2h 5m", "12m": how long is left, for people. */
export function formatRemaining(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  return `${Math.max(1, m)}m`;
}

/** The shortest token the API server issues (TokenRequest refuses less than 10 minutes). */
const MIN_TOKEN_SECONDS = 600;

/**
 * The lifetime of a student token: what was asked, cut at the class's end date. Throws when
 * less than the shortest token is left, since any token would then outlive the class.
 */
export function tokenSeconds(requested: number, expiresAt: string | undefined, now = Date.now()): number {
  if (!expiresAt) return requested;
  const left = Math.floor((Date.parse(expiresAt) - now) / 1000);
  if (left < MIN_TOKEN_SECONDS) throw new Error(`the class ends at ${expiresAt}, too soon for a credential (the shortest lasts ${MIN_TOKEN_SECONDS / 60} minutes)`);
  return Math.min(requested, left);
}
