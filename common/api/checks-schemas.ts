/**
 * The checks' channels on the wire: a class's recorded results with each student's progress,
 * running checks now (per class or per student), and one check against a dev namespace.
 */
import { z } from 'zod';
import { DNS_LABEL, MAX_DNS_LABEL } from '../lab/dns-label';
import { className, kubeTarget } from './cluster-schemas';

const id = z.string().min(1).max(MAX_DNS_LABEL).regex(DNS_LABEL, 'must be a check id (a DNS label)');
const status = z.enum(['pass', 'fail', 'timeout', 'error']);

export const checkRun = z.object({
  check: z.string(),
  status,
  exitCode: z.number().int().nullable(),
  at: z.string(),
  durationMs: z.number(),
  failLine: z.string().optional(),
  output: z.string(),
  message: z.string().optional(),
});

const checkRecord = z.object({
  status,
  exitCode: z.number().int().nullable(),
  lastRunAt: z.string(),
  changedAt: z.string(),
  firstPassAt: z.string().optional(),
  attempts: z.number().int(),
  durationMs: z.number(),
  failLine: z.string().optional(),
  output: z.string(),
  message: z.string().optional(),
});

const studentChecks = z.object({
  student: z.string(),
  namespace: z.string(),
  release: z.string(),
  /** The checks of the student's release, in run order. */
  checks: z.array(z.object({ id: z.string(), title: z.string(), node: z.string(), points: z.number(), hint: z.string().optional() })),
  achievements: z.array(z.object({ name: z.string(), title: z.string().optional(), checks: z.array(z.string()) })),
  results: z.object({ checks: z.record(z.string(), checkRecord), achievements: z.record(z.string(), z.string()), updatedAt: z.string() }),
  progress: z.object({
    passed: z.number().int(),
    total: z.number().int(),
    points: z.number(),
    maxPoints: z.number(),
    achievements: z.array(z.string()),
    lastChange: z.string().nullable(),
  }),
  recordError: z.string().optional(),
  /** Not checked this time: the lab is suspended; `results` are what was recorded before. */
  suspended: z.literal(true).optional(),
});

export const checksResultsRequest = z.object({ ...kubeTarget, className });
export const checksRunRequest = z.object({
  ...kubeTarget,
  className,
  student: z.string().min(1).max(128).optional(),
  check: id.optional(),
});
export const checksResponse = z.object({ students: z.array(studentChecks) });

export type WireStudentChecks = z.output<typeof studentChecks>;
export { id as checkId };
