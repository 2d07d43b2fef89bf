// What the gateway knows of one TCP connection and its sessions, shared by the server, the
// authentication and the channel runners.
import type { Socket } from 'node:net';
import type { Connection, ServerChannel } from 'ssh2';
import type { SessionRecord } from './audit';
import type { StoredKey } from './key-store';

/** A TCP connection from accept until it closes: its clocks run whatever ssh2 makes of it. */
export interface Admitted {
  socket: Socket;
  identified: boolean;
  loggedIn: boolean;
}

export interface Conn {
  id: number;
  client: Connection;
  admitted: Admitted | undefined;
  address: string;
  attempts: number;
  student?: string;
  node?: string;
  key?: StoredKey;
  lastActivity: number;
  sessions: Set<LiveSession>;
  /** Refusals said on the next session's stderr (X11 and agent requests come before it). */
  notices: string[];
  closed: boolean;
}

export interface LiveSession {
  conn: Conn;
  channel: ServerChannel;
  record: Omit<SessionRecord, 'end'>;
  end: (why?: string) => void;
}

/** Figures for tests and the benchmark. */
export const newStats = () => ({ connections: 0, authFailures: 0, keysDeclined: 0, rateLimited: 0, sessions: 0, connectionErrors: 0, wipes: 0, wipeFailures: 0, refusedPerAddress: 0, identTimeouts: 0, loginTimeouts: 0 });
export type GatewayStats = ReturnType<typeof newStats>;

/** One line on the session's stderr, the way the gateway tells a student why. */
export const say = (channel: ServerChannel, text: string) => {
  try {
    channel.stderr.write(`labforge: ${text}\r\n`);
  } catch {
    // The channel is already closing; nothing else to tell.
  }
};
