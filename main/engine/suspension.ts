/**
 * What a student namespace says about class time, read from its annotations, and the idle
 * rule the class-time controller applies to it. Pure: the controller (class-time.ts), status
 * and the gateway read the same namespace the same way.
 *
 * - Suspension (compiled onto the namespace by publish, suspend and resume): since when, by whom.
 * - Last activity: written by whatever served a session (terminal, screen, SSH), never compiled.
 * - Idle warning: written by the controller when it told the student the lab will be suspended.
 */
import { ANNOTATION } from '../../common/compile/labels';
import { SUSPENDED_BY, type SuspendedBy, type Suspension } from '../../common/compile/types';

interface NamespaceLike {
  metadata?: { annotations?: Record<string, string>; creationTimestamp?: string | Date };
}

const time = (v: string | Date | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const t = v instanceof Date ? v.getTime() : Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** The namespace's suspension, or undefined when its lab runs. An unknown `by` reads as the instructor's. */
export function suspensionOf(ns: NamespaceLike): Suspension | undefined {
  const a = ns.metadata?.annotations ?? {};
  const at = a[ANNOTATION.suspendedAt];
  if (at === undefined) return undefined;
  const by = a[ANNOTATION.suspendedBy];
  return { at, by: SUSPENDED_BY.includes(by as SuspendedBy) ? (by as SuspendedBy) : 'instructor' };
}

/** When the lab was last used, in ms; the namespace's creation when nobody has used it since. */
export function lastActivityOf(ns: NamespaceLike): number | undefined {
  const a = ns.metadata?.annotations ?? {};
  const used = time(a[ANNOTATION.lastActivity]);
  const created = time(ns.metadata?.creationTimestamp);
  if (used === undefined) return created;
  return created === undefined ? used : Math.max(used, created);
}

export interface IdleWarning {
  /** When the warning was given (ISO 8601). */
  at: string;
  /** When the lab will be suspended unless it is used (ISO 8601). */
  suspendAt: string;
}

export const formatIdleWarning = (w: IdleWarning) => JSON.stringify(w);

/** The warning on the namespace, if it is well formed. */
export function idleWarningOf(ns: NamespaceLike): IdleWarning | undefined {
  const text = ns.metadata?.annotations?.[ANNOTATION.idleWarning];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<IdleWarning>;
    if (typeof v.at === 'string' && typeof v.suspendAt === 'string' && time(v.at) !== undefined && time(v.suspendAt) !== undefined) return { at: v.at, suspendAt: v.suspendAt };
  } catch {
    // A mangled annotation is no warning: the controller gives a fresh one.
  }
  return undefined;
}

/** The warning that still stands: given after the last activity (any use since cancels it). */
export function standingWarning(ns: NamespaceLike): IdleWarning | undefined {
  const w = idleWarningOf(ns);
  if (!w) return undefined;
  const last = lastActivityOf(ns);
  return last !== undefined && time(w.at)! < last ? undefined : w;
}

export interface IdlePolicy {
  /** Idle this long, the lab is suspended. */
  afterSeconds: number;
  /** The student is warned this long before (0: no warning). */
  warnSeconds: number;
}

export type IdleDecision = { action: 'none'; suspendAt?: string } | { action: 'warn'; warning: IdleWarning } | { action: 'suspend'; idleSeconds: number };

/**
 * What the idle rule wants for one namespace now. The clock runs from the last activity (the
 * namespace's creation if it was never used), never from creation alone: a student who works
 * is never suspended. A lab is suspended only after a warning that stood for `warnSeconds`, so
 * a controller that was down past the deadline warns first instead of suspending at once.
 */
export function idleDecision(ns: NamespaceLike, policy: IdlePolicy, now: number): IdleDecision {
  if (suspensionOf(ns)) return { action: 'none' };
  const last = lastActivityOf(ns);
  if (last === undefined) return { action: 'none' };
  const due = last + policy.afterSeconds * 1000;
  const warning = standingWarning(ns);
  if (warning) {
    if (now >= time(warning.suspendAt)!) return { action: 'suspend', idleSeconds: Math.floor((now - last) / 1000) };
    return { action: 'none', suspendAt: warning.suspendAt };
  }
  if (policy.warnSeconds === 0) return now >= due ? { action: 'suspend', idleSeconds: Math.floor((now - last) / 1000) } : { action: 'none', suspendAt: new Date(due).toISOString() };
  if (now < due - policy.warnSeconds * 1000) return { action: 'none', suspendAt: new Date(due).toISOString() };
  // Within the warning time (or past the deadline with no warning yet): the full warning time from now at least.
  const suspendAt = Math.max(due, now + policy.warnSeconds * 1000);
  return { action: 'warn', warning: { at: new Date(now).toISOString(), suspendAt: new Date(suspendAt).toISOString() } };
}
