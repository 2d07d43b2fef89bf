// A terminal pane without a browser, for integration tests: it reaches a session's stream the way
// the renderer does in browser mode (a WebSocket to /streams/<id> with the token subprotocol) and
// speaks the protocol of common/streams/protocol.ts — output in, input and acknowledgements out.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createWsStreamHub, type MainControl, type OpenedSession, type WsStreamHub } from '../../main/streams';
import { waitFor } from './helpers/kube';

/** A loopback HTTP server that serves only terminal streams (every request counts as authorized). */
export async function startStreamServer(): Promise<{ hub: WsStreamHub; port: number; close(): Promise<void> }> {
  const hub = createWsStreamHub();
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head, true)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hub,
    port: (server.address() as AddressInfo).port,
    async close() {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export class TestPane {
  text = '';
  received = 0;
  acked = 0;
  readonly controls: MainControl[] = [];
  /** Acknowledge output as it arrives (a fast pane); off: the test acknowledges by hand. */
  autoAck = true;
  closed = false;
  private readonly decoder = new TextDecoder();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary) {
        this.controls.push(JSON.parse(buf.toString('utf8')) as MainControl);
        return;
      }
      this.received += buf.length;
      // Keep the tail only: a flood must not grow the test's own memory.
      this.text = (this.text + this.decoder.decode(buf, { stream: true })).slice(-200_000);
      if (this.autoAck) this.ack(buf.length);
    });
    ws.on('close', () => (this.closed = true));
  }

  static async connect(port: number, opened: OpenedSession): Promise<TestPane> {
    if (opened.connect.kind !== 'websocket') throw new Error('expected a websocket stream');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opened.connect.path}`, opened.connect.protocols);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestPane(ws);
  }

  type(text: string): void {
    this.ws.send(Buffer.from(text, 'utf8'), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  ack(bytes: number): void {
    this.acked += bytes;
    this.ws.send(JSON.stringify({ type: 'ack', bytes }));
  }

  /** Waits for output matching `re` (ANSI sequences stripped), after `from` characters of text. */
  async expect(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return waitFor(`terminal output ${re}`, async () => plain(this.text).match(re) ?? undefined, timeoutMs, 50).catch((err: Error) => {
      throw new Error(`${err.message}; output so far:\n${plain(this.text).slice(-2000)}`);
    });
  }

  async exit(timeoutMs = 15_000): Promise<MainControl> {
    return waitFor('the exit message', async () => this.controls.find((c) => c.type === 'exit'), timeoutMs, 50);
  }

  clear(): void {
    this.text = '';
  }

  close(): void {
    this.ws.close();
  }
}

/** Output without colour, cursor and mode sequences, and with \r\n as \n. */
export function plain(text: string): string {
  return text
    .replace(/\x1b\][^\x07]*\x07/g, '')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/\r/g, '');
}
