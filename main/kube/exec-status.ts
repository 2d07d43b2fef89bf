/**
 * How an exec ended, as the API server reports it on the remote-command protocol's status
 * channel (channel 3 of v4/v5.channel.k8s.io): a metav1.Status that is `Success` when the
 * command exited 0, and otherwise `Failure`, with reason `NonZeroExitCode` and the code in a
 * cause of type `ExitCode` when the runtime knows it. It comes from the kubelet (or kwok), not
 * from anything the command prints, so a process in the container cannot forge it by writing
 * to the exec's output.
 */

export type ExecStatus =
  | { ok: true }
  /** `exitCode` is null when the runtime did not say (kwok reports a non-zero exit as an internal error). */
  | { ok: false; exitCode: number | null; message: string };

interface StatusLike {
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  details?: { causes?: { type?: unknown; message?: unknown }[] };
}

/** Reads the status channel's JSON (already parsed); anything but an explicit `Success` is a failure. */
export function readExecStatus(raw: unknown): ExecStatus {
  const s = (raw && typeof raw === 'object' ? raw : {}) as StatusLike;
  if (s.status === 'Success') return { ok: true };
  const cause = s.reason === 'NonZeroExitCode' ? s.details?.causes?.find((c) => c.type === 'ExitCode') : undefined;
  const code = typeof cause?.message === 'string' && /^\d{1,3}$/.test(cause.message) ? Number(cause.message) : null;
  const message = typeof s.message === 'string' ? s.message.slice(0, 500) : 'the exec ended with a failure status';
  return { ok: false, exitCode: code, message };
}
