import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { checkSender, isAppUrl } from './ipc';

const ORIGIN = 'app://labforge';

function event(url: string | null, { child = false } = {}) {
  const mainFrame = { url: url ?? '', parent: null };
  const frame = url === null ? null : child ? { url, parent: mainFrame } : mainFrame;
  return { senderFrame: frame, sender: { mainFrame } } as unknown as Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>;
}

describe('IPC sender check', () => {
  it('accepts the app main frame', () => {
    expect(checkSender(event('app://labforge/index.html'), ORIGIN)).toBeNull();
  });
  it('rejects other origins, look-alikes and credentials in the URL', () => {
    for (const url of ['https://evil.example/', 'app://labforge.evil/', 'app://evil/labforge', 'file:///app/index.html', 'app://user:pw@labforge/']) {
      expect(checkSender(event(url), ORIGIN), url).toMatch(/not the Labforge app/);
    }
  });
  it('rejects subframes and vanished frames', () => {
    expect(checkSender(event('app://labforge/index.html', { child: true }), ORIGIN)).toMatch(/main frame/);
    expect(checkSender(event(null), ORIGIN)).toMatch(/gone/);
  });
  it('parses instead of string-prefix matching', () => {
    expect(isAppUrl('app://labforge/x', ORIGIN)).toBe(true);
    expect(isAppUrl('not a url', ORIGIN)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:4000/', 'http://127.0.0.1:4000')).toBe(true);
    expect(isAppUrl('http://127.0.0.1:4001/', 'http://127.0.0.1:4000')).toBe(false);
  });
});

describe('IPC streams', () => {
  // A stand-in for Electron's ipcMain and one window's webContents: the transport's own logic
  // (sender check, routing by id, cancel, window closed) is what is under test here.
  async function setup() {
    const { EventEmitter } = await import('node:events');
    const { bindIpc } = await import('./ipc');
    const { createDispatcher } = await import('../api/dispatch');
    const { IPC_CANCEL, IPC_STREAM, IPC_SUBSCRIBE } = await import('../../common/ipc/ipc-channel');
    const ipcMain = Object.assign(new EventEmitter(), { handle: () => undefined, removeHandler: () => undefined });
    const sent: [string, number, { event?: unknown; result?: { ok: boolean; error?: { code: string } } }][] = [];
    const sender = Object.assign(new EventEmitter(), { isDestroyed: () => false, send: (ch: string, id: number, msg: never) => sent.push([ch, id, msg]), mainFrame: null as unknown });
    const frame = { url: `${ORIGIN}/index.html`, parent: null };
    sender.mainFrame = frame;
    let aborted = 0;
    const dispatch = createDispatcher({
      'dev.watch': (_r, { emit, signal }) =>
        new Promise((resolve) => {
          emit({ statuses: [], deployed: null });
          signal.addEventListener('abort', () => {
            aborted++;
            resolve({});
          });
        }),
    });
    bindIpc(ipcMain as never, dispatch, ORIGIN);
    const subscribe = (id: number, url = frame.url) => ipcMain.emit(IPC_SUBSCRIBE, { sender, senderFrame: url === frame.url ? frame : { url, parent: null } }, id, 'dev.watch', { labName: 'web' });
    const cancel = (id: number) => ipcMain.emit(IPC_CANCEL, { sender, senderFrame: frame }, id);
    const tick = () => new Promise((r) => setTimeout(r, 5));
    return { sent, sender, subscribe, cancel, tick, aborted: () => aborted, IPC_STREAM };
  }

  it('routes events by id and ends with the result; cancel stops it', async () => {
    const t = await setup();
    t.subscribe(1);
    await t.tick();
    expect(t.sent).toEqual([[t.IPC_STREAM, 1, { event: { statuses: [], deployed: null } }]]);
    t.cancel(1);
    await t.tick();
    expect(t.sent[1]).toEqual([t.IPC_STREAM, 1, { result: { ok: false, error: { code: 'cancelled', message: 'dev.watch was cancelled' } } }]);
  });

  it('cancels a window\'s streams when it is destroyed, and refuses other senders', async () => {
    const t = await setup();
    t.subscribe(1);
    t.subscribe(2);
    await t.tick();
    t.sender.emit('destroyed');
    await t.tick();
    expect(t.aborted()).toBe(2);
    t.subscribe(3, 'https://evil.example/');
    await t.tick();
    expect(t.sent.find(([, id]) => id === 3)?.[2].result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
