// A minimal RFB (RFC 6143) viewer for integration tests: it handshakes (no authentication, as
// x11vnc -nopw offers), asks for 32-bit true colour in raw encoding and reads single pixels. It
// runs over a VNC pane's stream exactly as the renderer reaches it in browser mode (a WebSocket
// to /streams/<id> with the one-time token subprotocol), acknowledging what it consumed
// (common/streams/protocol.ts), so it tests the whole path main builds.
import WebSocket from 'ws';
import type { MainControl } from '../../main/streams';
import { waitFor } from './helpers/kube';

interface Opened {
  connect: { kind: 'websocket'; path: string; protocols: string[] } | { kind: 'port' };
}

export class RfbViewer {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  readonly controls: MainControl[] = [];
  closed = false;
  width = 0;
  height = 0;
  name = '';

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary) {
        this.controls.push(JSON.parse(chunk.toString('utf8')) as MainControl);
      } else {
        this.buf = Buffer.concat([this.buf, chunk]);
        ws.send(JSON.stringify({ type: 'ack', bytes: chunk.length }));
      }
      this.wake?.();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** Connects to a session's stream on a stream server at `port`, then does the RFB handshake. */
  static async open(port: number, opened: Opened, shared = true): Promise<RfbViewer> {
    if (opened.connect.kind !== 'websocket') throw new Error('expected a websocket stream');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opened.connect.path}`, opened.connect.protocols);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const v = new RfbViewer(ws);
    await v.handshake(shared);
    return v;
  }

  private async read(n: number, timeoutMs = 15_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      // Main reports the end of a session on the stream before closing it: no more bytes will come.
      if (this.closed || this.controls.length) throw new Error(`the stream ended while waiting for ${n} bytes${this.controls.length ? `: ${JSON.stringify(this.controls)}` : ''}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} RFB bytes (have ${this.buf.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  private send(bytes: number[] | Buffer): void {
    this.ws.send(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), { binary: true });
  }

  private async handshake(shared: boolean) {
    const version = (await this.read(12)).toString('latin1');
    if (!/^RFB 003\.00[378]\n$/.test(version)) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    this.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await this.read(1))[0]!;
    if (count === 0) {
      const len = (await this.read(4)).readUInt32BE(0);
      throw new Error(`the VNC server refused: ${(await this.read(len)).toString()}`);
    }
    const types = [...(await this.read(count))];
    if (!types.includes(1)) throw new Error(`the VNC server wants authentication (types ${types.join(',')})`);
    this.send([1]);
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security handshake failed (${result})`);
    // ClientInit: the shared flag (1: leave other viewers connected).
    this.send([shared ? 1 : 0]);
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.name = (await this.read(init.readUInt32BE(20))).toString();
    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 8 bits per channel at 16/8/0.
    this.send([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    // SetEncodings: raw only.
    this.send([2, 0, 0, 1, 0, 0, 0, 0]);
  }

  /** The colour of one framebuffer pixel, as [r, g, b]. */
  async pixel(x: number, y: number): Promise<[number, number, number]> {
    const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
    this.send([3, 0, ...u16(x), ...u16(y), ...u16(1), ...u16(1)]);
    for (;;) {
      const type = (await this.read(1))[0]!;
      if (type === 2) continue; // Bell
      if (type === 3) {
        const head = await this.read(7);
        await this.read(head.readUInt32BE(3));
        continue;
      }
      if (type === 1) {
        const head = await this.read(5);
        await this.read(head.readUInt16BE(3) * 6);
        continue;
      }
      if (type !== 0) throw new Error(`unexpected RFB server message ${type}`);
      const rects = (await this.read(3)).readUInt16BE(1);
      let found: [number, number, number] | null = null;
      for (let i = 0; i < rects; i++) {
        const r = await this.read(12);
        const [rx, ry, rw, rh, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
        if (enc !== 0) throw new Error(`unexpected encoding ${enc}`);
        const pixels = await this.read(rw * rh * 4);
        if (x >= rx && x < rx + rw && y >= ry && y < ry + rh) {
          const at = ((y - ry) * rw + (x - rx)) * 4;
          // Little-endian 32-bit, red at bit 16: bytes are B, G, R, unused.
          found = [pixels[at + 2]!, pixels[at + 1]!, pixels[at]!];
        }
      }
      if (found) return found;
    }
  }

  /**
   * Waits until pixel (x, y) has colour `rgb`: x11vnc fills its framebuffer by polling the X
   * display, starting when the first viewer connects, so a first answer may still be black.
   */
  async waitForPixel(x: number, y: number, rgb: readonly number[], timeoutMs = 15_000): Promise<[number, number, number]> {
    let last: [number, number, number] = [0, 0, 0];
    await waitFor(`pixel (${x}, ${y}) to be rgb(${rgb.join(', ')})`, async () => {
      last = await this.pixel(x, y);
      return last.every((c, i) => c === rgb[i]) ? true : undefined;
    }, timeoutMs, 100).catch((err: Error) => {
      throw new Error(`${err.message}; last seen rgb(${last.join(', ')})`);
    });
    return last;
  }

  async exit(timeoutMs = 15_000): Promise<MainControl> {
    return waitFor('the exit message', async () => this.controls.find((c) => c.type === 'exit'), timeoutMs, 50);
  }

  close(): void {
    this.ws.close();
  }
}
