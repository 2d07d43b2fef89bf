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
