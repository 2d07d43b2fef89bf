/**
 * A non-interactive exec whose output is streamed to a callback as it arrives, and which ends
 * when the connection ends, with the status the API server sent on the protocol's status channel
 * (main/kube/exec-status.ts), or null when the connection ended without one. The checks take
 * their verdict from that status, never from the output (main/engine/checks.ts). Reading is
 * synchronous, so a command printing megabytes never piles up here.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { execInContainer } from '../kube/exec';
import { Writable } from 'node:stream';
import { readExecStatus, type ExecStatus } from '../kube/exec-status';
import { toTerminalError } from './errors';
import { KubeStreamSocket } from './k8s-socket';

export interface StreamExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Runs `command` and calls `onOutput` with stdout and stderr chunks. Resolves when the
 * connection closes, with the exec's status (null when none arrived, as after an abort);
 * rejects with a TerminalError when the API server refuses the exec. An abort closes the
 * connection (and so resolves).
 */
export async function execStreaming(kc: KubeConfig, target: StreamExecTarget, command: string[], onOutput: (chunk: Buffer) => void, signal?: AbortSignal): Promise<ExecStatus | null> {
  const what = `exec in pod ${target.namespace}/${target.pod} (container ${target.container})`;
  const sink = () =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        onOutput(chunk);
        cb();
      },
    });
  const socket = new KubeStreamSocket(kc, what);
  signal?.throwIfAborted();
  let ws;
  let status: ExecStatus | null = null;
  try {
    ws = await execInContainer(kc, socket, target, command, { stdout: sink(), stderr: sink(), stdin: null, tty: false, onStatus: (s) => (status = readExecStatus(s)) });
  } catch (err) {
    throw toTerminalError(err, what);
  }
  await new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const abort = () => ws.terminate();
    signal?.addEventListener('abort', abort, { once: true });
    ws.once('close', () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    });
    ws.once('error', () => ws.terminate());
  });
  return status;
}

/** `execStreaming` bound to a kubeconfig: the shape the engine's checks take their exec in. */
export function streamingExec(kc: KubeConfig) {
  return (target: StreamExecTarget, command: string[], onOutput: (chunk: Buffer) => void, signal: AbortSignal) => execStreaming(kc, target, command, onOutput, signal);
}
