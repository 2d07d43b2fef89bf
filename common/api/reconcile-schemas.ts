/**
 * Wire shapes of a class's health (end date, drift, web links) and of repairing it or moving its
 * end date: the class view's drift and links panels (main/api/handlers/reconcile.ts).
 */
import { z } from 'zod';
import { className, kubeTarget } from './cluster-schemas';

const fieldDrift = z.object({ path: z.string(), want: z.string(), have: z.string(), by: z.array(z.string()) });
const objectDrift = z.object({ kind: z.string(), name: z.string(), problem: z.enum(['missing', 'changed', 'extra']), fields: z.array(fieldDrift) });
const keptVolume = z.object({ student: z.string(), namespace: z.string(), volume: z.string() });

export const classHealth = z.object({
  expiry: z.object({
    state: z.enum(['none', 'active', 'warning', 'expired']),
    expiresAt: z.string().optional(),
    remainingSeconds: z.number().optional(),
  }),
  ended: z.object({ at: z.string(), keptVolumes: z.array(keptVolume), help: z.string() }).optional(),
  drift: z.array(z.object({ student: z.string(), namespace: z.string(), objects: z.array(objectDrift) })),
  links: z.array(z.object({ student: z.string(), namespace: z.string(), links: z.array(z.object({ node: z.string(), port: z.number(), host: z.string(), url: z.string() })) })),
  /** Idle labs are suspended after `afterSeconds` unused, the student warned `warnSeconds` before; null: never. */
  idle: z.object({ afterSeconds: z.number().int(), warnSeconds: z.number().int() }).nullable(),
  /** When the class meets, as of the call; null: no schedule (labs are never suspended or resumed by time). */
  schedule: z
    .object({
      timezone: z.string(),
      /** How long before each session its labs are resumed. */
      warmSeconds: z.number().int(),
      /** The entries as `labforge schedule` reads them ("Mon,Wed 09:00-11:00; 2027-01-12 14:00-16:00"). */
      text: z.string(),
      /** The session running now, or warming (its labs starting) before it begins; ISO 8601 instants. */
      current: z.object({ start: z.string(), end: z.string(), warming: z.boolean() }).optional(),
      /** The next session whose warm-up has not begun. */
      next: z.object({ start: z.string(), end: z.string() }).optional(),
    })
    .nullable(),
});
export type WireClassHealth = z.infer<typeof classHealth>;

export const classTarget = z.object({ ...kubeTarget, className });

export const repairResult = z.object({
  repaired: z.array(z.object({ student: z.string(), namespace: z.string(), applied: z.array(z.string()), deleted: z.array(z.string()), error: z.string().optional() })),
});

/** `expiresAt`: ISO 8601 in the future, a duration from now (30d), or null for no end date. */
export const expireRequest = z.object({ ...kubeTarget, className, expiresAt: z.string().min(1).max(64).nullable(), volumes: z.enum(['keep', 'delete']).optional() });
export const expireResult = z.object({ expiresAt: z.string().optional(), volumes: z.enum(['keep', 'delete']) });
