/**
 * The one way into a container's process: the Kubernetes exec subresource, through client-node's
 * `Exec`. Terminals, checks and the SSH gateway all start their commands here; main/streams
 * supplies the WebSocket it runs on (k8s-socket.ts: the server's own refusal message, pausing,
 * v5 close frames), so client-node's values stay inside main/kube.
 */
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import type { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';

/** What `Exec` dials through; client-node does not export the interface by name. */
export type ExecSocket = NonNullable<ConstructorParameters<typeof Exec>[1]>;

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecIo {
  stdout: Writable | null;
  stderr: Writable | null;
  stdin: Readable | null;
  tty: boolean;
  /** The status frame the server sends when the process ends (its exit code, or why it failed). */
  onStatus?: (status: V1Status) => void;
}

/** Starts `command` in the target's container; resolves with the open WebSocket. */
export function execInContainer(kc: KubeConfig, socket: ExecSocket, target: ExecTarget, command: string[], io: ExecIo): Promise<WebSocket> {
  return new Exec(kc, socket).exec(target.namespace, target.pod, target.container, command, io.stdout, io.stderr, io.stdin, io.tty, io.onStatus);
}
