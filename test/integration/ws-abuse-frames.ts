/**
 * Raw WebSocket and HTTP over net.Socket for the abuse suites: the `ws` library refuses to send
 * malformed frames (unmasked, reserved opcodes, bad lengths), so these are written by hand.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface FrameOptions {
  fin?: boolean;
  /** RSV1..3 as a 3-bit number. */
  rsv?: number;
  mask?: boolean;
  /** Claim this payload length in the header instead of the real one. */
  claimedLength?: number;
}

/** One WebSocket frame, masked by default as a client must. */
export function frame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const mask = options.mask ?? true;
  const length = options.claimedLength ?? data.length;
  const first = ((options.fin ?? true) ? 0x80 : 0) | (((options.rsv ?? 0) & 7) << 4) | (opcode & 0x0f);
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, (mask ? 0x80 : 0) | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i]! ^ key[i % 4]!;
  return Buffer.concat([header, key, masked]);
}

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface RawConnection {
  socket: Socket;
  /** The HTTP status of the upgrade answer. */
  status: number;
  /** Bytes received after the upgrade answer. */
  received(): Buffer;
  /**
   * Resolves with true once the server has closed the connection or sent a close frame (it
   * then waits for our close frame, which a raw client never sends), or with false after `ms`.
   */
  closed(ms?: number): Promise<boolean>;
}

/** Sends an HTTP upgrade request by hand and waits for the status line. */
export function rawUpgrade(port: number, path: string, headers: Record<string, string>): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let status = 0;
    let ended = false;
    const endWaiters: (() => void)[] = [];
    socket.on('error', () => undefined);
    socket.on('close', () => {
      ended = true;
      for (const w of endWaiters) w();
      if (!status) reject(new Error('closed before an answer'));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (status) {
        if (closeCode(buf) !== null) for (const w of endWaiters.splice(0)) w();
        return;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      buf = buf.subarray(end + 4);
      resolve({
        socket,
        status,
        received: () => buf,
        closed: (ms = 5000) =>
          new Promise<boolean>((done) => {
            if (ended || closeCode(buf) !== null) return done(true);
            const t = setTimeout(() => done(false), ms);
            endWaiters.push(() => {
              clearTimeout(t);
              done(true);
            });
          }),
      });
    });
    const lines = [`GET ${path} HTTP/1.1`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** The close code in the first close frame the server sent, if any (server frames are unmasked). */
export function closeCode(bytes: Buffer): number | null {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === OP.close) return len >= 2 ? bytes.readUInt16BE(off) : 1005;
    at = off + len;
  }
  return null;
}

/** Writes raw bytes to a fresh TCP connection and collects whatever comes back until it closes. */
export function rawTcp(port: number, bytes: Buffer | string, ms = 5000): Promise<{ reply: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closedByServer: false });
    }, ms);
    socket.on('error', () => undefined);
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closedByServer: true });
    });
    socket.write(bytes);
  });
}
