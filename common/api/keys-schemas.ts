/**
 * The SSH keys channels' shapes: what the class dashboard lists (never key material: type,
 * fingerprint, comment, dates) and what it sends to add or revoke a key.
 */
import { z } from 'zod';
import { className, kubeTarget } from './cluster-schemas';

const student = z.string().min(1).max(128);

export const sshKeyInfo = z.object({
  student: z.string(),
  type: z.string(),
  fingerprint: z.string(),
  comment: z.string(),
  addedAt: z.string(),
  expiresAt: z.string().optional(),
  expired: z.boolean(),
});
export type WireSshKey = z.output<typeof sshKeyInfo>;

export const keysListRequest = z.object({ ...kubeTarget, className, student: student.optional() });
export const keysListResponse = z.object({ keys: z.array(sshKeyInfo) });
/** `key` is the .pub line; `expires` a duration (14d) or a date, none for no expiry. */
export const keysAddRequest = z.object({ ...kubeTarget, className, student, key: z.string().min(1).max(16 * 1024), expires: z.string().max(40).optional() });
export const keysRevokeRequest = z.object({ ...kubeTarget, className, student, fingerprint: z.string().min(8).max(100) });
