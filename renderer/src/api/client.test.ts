import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_PROTOCOL, MAX_API_MESSAGE_BYTES, PAGE_KEY_PROTOCOL_PREFIX } from '../../../common/browser/session';
import { createWsApi } from './client';

/** Stands in for the browser's WebSocket: records what the client offers and sends. */
class RecordingSocket {
  static last: RecordingSocket | null = null;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    RecordingSocket.last = this;
    queueMicrotask(() => this.onopen?.());
  }
  send(text: string) {
    this.sent.push(text);
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('browser-mode API client', () => {
  it('offers the API protocol and the page key as subprotocols', async () => {
    vi.stubGlobal('WebSocket', RecordingSocket);
    const api = createWsApi('ws://127.0.0.1:1/api', 'k'.repeat(43));
    const pending = api.invoke('app.info', {});
    await vi.waitFor(() => expect(RecordingSocket.last?.sent).toHaveLength(1));
    expect(RecordingSocket.last!.protocols).toEqual([API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${'k'.repeat(43)}`]);
    const { id } = JSON.parse(RecordingSocket.last!.sent[0]!) as { id: number };
    RecordingSocket.last!.onmessage!({ data: JSON.stringify({ id, result: { ok: true, value: { mode: 'browser' } } }) });
    await expect(pending).resolves.toMatchObject({ ok: true });
  });

  it('refuses a message over the server limit with an error naming the sizes, and sends nothing', async () => {
    vi.stubGlobal('WebSocket', RecordingSocket);
    const api = createWsApi('ws://127.0.0.1:1/api', 'k');
    // Control characters take 6 bytes each once JSON-escaped.
    const text = '\u0001'.repeat(Math.ceil(MAX_API_MESSAGE_BYTES / 6) + 10);
    const r = await api.invoke('file.write', { path: 'big.yaml', text });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/over the 64\.0 MiB limit/) } });
    expect(RecordingSocket.last!.sent).toEqual([]);
  });

  it('explains a close for a message too big', async () => {
    vi.stubGlobal('WebSocket', RecordingSocket);
    const api = createWsApi('ws://127.0.0.1:1/api', 'k');
    const pending = api.invoke('app.info', {});
    await vi.waitFor(() => expect(RecordingSocket.last?.sent).toHaveLength(1));
    RecordingSocket.last!.onclose!({ code: 1009 });
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'disconnected', message: expect.stringMatching(/larger than the server accepts \(64 MiB\)/) } });
  });
});
