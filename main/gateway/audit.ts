/**
 * The record of each SSH session: who (student, key fingerprint), where (node), when (start,
 * end) and how much (bytes each way). It goes to the gateway's log as one JSON line and, as a
 * Kubernetes Event, into the student's namespace, where `kubectl get events` and the app show
 * it next to the lab. Never key material or tokens: a fingerprint names a key without being one.
 */
import { randomBytes } from 'node:crypto';
import { ANNOTATION } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import type { Cluster } from '../kube/cluster';

export interface SessionRecord {
  student: string;
  fingerprint: string;
  namespace: string;
  node: string;
  /** 'shell', 'exec', 'sftp'. */
  kind: string;
  address: string;
  start: Date;
  end: Date;
  bytesIn: number;
  bytesOut: number;
  /** The exit status when the session ran a command or shell that reported one. */
  exitCode?: number | null;
  /** Why the gateway ended it, when it did (idle, key revoked, shutdown). */
  endedBy?: string;
}

export const EVENT_REASON = 'SSHSession';
const EVENT_COMPONENT = 'labforge-gateway';

function sessionMessage(r: SessionRecord): string {
  const seconds = Math.round((r.end.getTime() - r.start.getTime()) / 1000);
  const code = r.exitCode !== undefined && r.exitCode !== null ? `, exit ${r.exitCode}` : '';
  const why = r.endedBy ? `, ended by the gateway: ${r.endedBy}` : '';
  return `${r.kind} session of ${r.student} (key ${r.fingerprint}) on node ${r.node} from ${r.address}: ${r.start.toISOString()} to ${r.end.toISOString()} (${seconds}s), ${r.bytesIn} bytes in, ${r.bytesOut} bytes out${code}${why}`;
}

function sessionEvent(r: SessionRecord, instance: string): KubeObject {
  const name = `labforge-ssh.${r.start.getTime().toString(36)}.${randomBytes(4).toString('hex')}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: r.namespace,
      annotations: {
        [ANNOTATION.studentId]: r.student,
        'labforge.dev/ssh-fingerprint': r.fingerprint,
        'labforge.dev/ssh-node': r.node,
        'labforge.dev/ssh-start': r.start.toISOString(),
        'labforge.dev/ssh-end': r.end.toISOString(),
        'labforge.dev/ssh-bytes-in': String(r.bytesIn),
        'labforge.dev/ssh-bytes-out': String(r.bytesOut),
      },
    },
    // The API server wants the involved object's namespace to be the Event's, even for a Namespace.
    involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: r.namespace, namespace: r.namespace },
    reason: EVENT_REASON,
    message: sessionMessage(r),
    type: 'Normal',
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: instance,
    firstTimestamp: r.start.toISOString(),
    lastTimestamp: r.end.toISOString(),
    count: 1,
  };
}

/** Writes the Event; a failure is logged, never thrown (the session is over either way). */
export async function recordSession(cluster: Cluster, r: SessionRecord, instance: string, log: (entry: Record<string, unknown>) => void): Promise<void> {
  log({ event: 'session', student: r.student, fingerprint: r.fingerprint, namespace: r.namespace, node: r.node, kind: r.kind, address: r.address, start: r.start.toISOString(), end: r.end.toISOString(), bytesIn: r.bytesIn, bytesOut: r.bytesOut, ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), ...(r.endedBy ? { endedBy: r.endedBy } : {}) });
  try {
    await cluster.create(sessionEvent(r, instance));
  } catch (err) {
    // The namespace may be gone (wiped, torn down); the log line above still has the record.
    log({ event: 'audit-event-failed', namespace: r.namespace, error: err instanceof Error ? err.message : String(err) });
  }
}
