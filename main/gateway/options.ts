// The gateway's options and limits, apart from the server so the CLI and tests can name them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../kube/cluster';
import type { HostKey } from './host-key';
import type { WindowLimit } from './limits';
import type { WipeVolumes } from './wipe';

export interface GatewayLimits {
  authFailuresPerAddress: WindowLimit;
  /** Failures of one user name from one address. */
  authFailuresPerUser: WindowLimit;
  /** Public keys a connection may offer before it is closed. */
  authAttemptsPerConnection: number;
  sessionsPerStudent: number;
  /** A connection with no bytes either way for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections in all (authenticated or not). */
  maxConnections: number;
  /** Open connections from one source address (a class behind one NAT shares it). */
  maxConnectionsPerAddress: number;
  /** A socket must send its SSH identification line within this of being accepted. */
  identTimeoutMs: number;
  /** A connection must authenticate within this of being accepted. */
  loginGraceMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  authFailuresPerAddress: { failures: 30, windowMs: 60_000 },
  authFailuresPerUser: { failures: 10, windowMs: 60_000 },
  authAttemptsPerConnection: 6,
  sessionsPerStudent: 8,
  idleTimeoutMs: 30 * 60_000,
  maxConnections: 2000,
  maxConnectionsPerAddress: 100,
  identTimeoutMs: 10_000,
  loginGraceMs: 30_000,
};

/** The loopback address the gateway listens on unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

export interface GatewayOptions {
  cluster: Cluster;
  /** For exec: the same credentials as `cluster`. */
  kubeConfig: KubeConfig;
  className: string;
  hostKey: HostKey;
  host?: string;
  port?: number;
  limits?: Partial<GatewayLimits>;
  /** Reset a student's namespace when their last session ends (off when undefined). */
  wipe?: { volumes: WipeVolumes };
  /** How often live connections' keys are checked again (expiry); revocations are seen at once. */
  revalidateMs?: number;
  /** One JSON object per line; never key material or tokens. */
  log?: (entry: Record<string, unknown>) => void;
  /** A login to a suspended lab resumes it (default); false: the student is told to ask the instructor. */
  resumeOnLogin?: boolean;
  /** How often open sessions are checked for an idle warning to show (default 30 s). */
  warningCheckMs?: number;
}
