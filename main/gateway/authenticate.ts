/**
 * Public-key authentication for the gateway: the signature checked against the class's key index,
 * failures limited per source address and per (address, user name), never per user name alone
 * (failures naming a student from elsewhere would lock the real student out). A key offered
 * without a signature is a question OpenSSH asks for every key it holds, never a failure.
 */
import ssh2, { type AuthContext } from 'ssh2';
import type { Conn, GatewayStats } from './connection';
import type { KeyIndex } from './key-index';
import { FailureLimiter } from './limits';
import { parseUser } from './node-target';
import type { GatewayLimits } from './options';

// ssh2 is CommonJS: its default export works under Node's ESM loader and bundlers alike.
const { utils } = ssh2;

/** The failure limit's key for one user name from one address. */
const userKey = (address: string, user: string) => `${address} ${user}`;

export interface AuthDeps {
  index: KeyIndex;
  limits: GatewayLimits;
  stats: GatewayStats;
  log: (entry: Record<string, unknown>) => void;
  /** A student whose lab is being reset may not log in until it is done. */
  isWiping: (student: string) => boolean;
  close: (conn: Conn) => void;
}

export class Authenticator {
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;

  constructor(private readonly deps: AuthDeps) {
    this.byAddress = new FailureLimiter(deps.limits.authFailuresPerAddress);
    this.byUser = new FailureLimiter(deps.limits.authFailuresPerUser);
  }

  /** A refused attempt that proves nothing wrong (a key query): it counts toward the connection's attempts only. */
  private decline(conn: Conn, ctx: AuthContext, user: string, why: string): void {
    this.deps.stats.keysDeclined++;
    this.deps.log({ event: 'auth-key-declined', connection: conn.id, user: user.slice(0, 64), address: conn.address, why });
    ctx.reject(['publickey']);
    if (++conn.attempts >= this.deps.limits.authAttemptsPerConnection) this.deps.close(conn);
  }

  private fail(conn: Conn, ctx: AuthContext, user: string, why: string): void {
    this.deps.stats.authFailures++;
    this.byAddress.fail(conn.address);
    this.byUser.fail(userKey(conn.address, user));
    this.deps.log({ event: 'auth-failed', connection: conn.id, user: user.slice(0, 64), address: conn.address, why });
    ctx.reject(['publickey']);
    if (++conn.attempts >= this.deps.limits.authAttemptsPerConnection) this.deps.close(conn);
  }

  authenticate(conn: Conn, ctx: AuthContext): void {
    // Failures count per student, whichever node the name asks for.
    const user = parseUser(ctx.username)?.student ?? ctx.username;
    const pair = userKey(conn.address, user);
    if (this.byAddress.blocked(conn.address) || this.byUser.blocked(pair)) {
      this.deps.stats.rateLimited++;
      this.deps.log({ event: 'auth-rate-limited', connection: conn.id, user: user.slice(0, 64), address: conn.address, retryAfterMs: Math.max(this.byAddress.retryAfterMs(conn.address), this.byUser.retryAfterMs(pair)) });
      ctx.reject([]);
      this.deps.close(conn);
      return;
    }
    if (ctx.method !== 'publickey') {
      // The client asking which methods exist ("none") is not a failure.
      if (ctx.method === 'none') return ctx.reject(['publickey']);
      return this.fail(conn, ctx, user, `method ${ctx.method} is not offered`);
    }
    const parsed = parseUser(ctx.username);
    const offered = ctx.key.data;
    const key = parsed ? this.deps.index.keysOf(parsed.student).find((k) => k.blob.equals(offered)) : undefined;
    if (!ctx.signature) {
      // "Would you take this key?": OpenSSH asks it for each key it holds before it signs with
      // one, so a student with several keys asks it several times per login. Not a failure.
      if (!key) return this.decline(conn, ctx, user, parsed ? 'no such valid key for this student' : 'malformed user name');
      return ctx.accept();
    }
    if (!parsed) return this.fail(conn, ctx, user, 'malformed user name');
    if (!key) return this.fail(conn, ctx, user, 'no such valid key for this student');
    const pub = utils.parseKey(offered);
    if (pub instanceof Error || !ctx.blob || !pub.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return this.fail(conn, ctx, user, 'bad signature');
    if (this.deps.isWiping(parsed.student)) {
      this.deps.log({ event: 'auth-refused', connection: conn.id, student: parsed.student, why: 'lab is being reset' });
      ctx.reject([]);
      return this.deps.close(conn);
    }
    conn.student = parsed.student;
    if (parsed.node !== undefined) conn.node = parsed.node;
    conn.key = key;
    ctx.accept();
  }
}
