/**
 * Electron's StreamConnector: each terminal session gets its own MessageChannelMain. main keeps
 * one port and posts the other to the app window's main frame, tagged with the session id; the
 * preload forwards it to the page. Only the window's own renderer can hold the port, so it needs
 * no token; the `terminal.open` call that asked for it went through the IPC sender check.
 */
import { MessageChannelMain, type App, type MessagePortMain, type WebContents } from 'electron';
import type { StreamConnector, StreamEndpoint, TerminalService } from '../streams';
import { IPC_STREAM_PORT } from '../../common/ipc/stream-channel';

function portEndpoint(port: MessagePortMain): StreamEndpoint {
  let open = true;
  port.on('close', () => (open = false));
  const endpoint: StreamEndpoint = {
    send: (data) => {
      if (open) port.postMessage(data);
    },
    close: () => {
      if (open) port.close();
      open = false;
    },
    // The bridge (main/streams/bridge.ts) caps what it sends by the page's acks and by this
    // figure, the same logic as browser mode's WebSocket. postMessage hands each message to the
    // Mojo pipe at once and the renderer's IO thread takes it off, whatever the page's script
    // does, so main holds none of it: a page that acks what it never read fills its own
    // renderer, not main. MessagePortMain reports no buffer, and none builds up here.
    bufferedAmount: () => 0,
    onMessage: (listener) =>
      port.on('message', (e) => {
        const d: unknown = e.data;
        // Only strings (control) and bytes (input) mean anything on this port.
        if (typeof d === 'string') listener(d);
        else if (d instanceof ArrayBuffer) listener(Buffer.from(d));
        else if (ArrayBuffer.isView(d)) listener(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
      }),
    onClose: (listener) => port.on('close', listener),
  };
  return endpoint;
}

/** `target` is the window the terminal panes live in (the app has one). */
export function createPortConnector(target: () => WebContents | null): StreamConnector {
  return {
    offer(sessionId, attach) {
      const contents = target();
      if (!contents || contents.isDestroyed()) throw new Error('no window to open the terminal in');
      const { port1, port2 } = new MessageChannelMain();
      // Listeners first, then start: nothing the pane sends early is lost.
      attach(portEndpoint(port1));
      port1.start();
      contents.postMessage(IPC_STREAM_PORT, { id: sessionId }, [port2]);
      return { kind: 'port' };
    },
    withdraw() {
      // The port was handed over at once; closing the session closes it.
    },
  };
}

/**
 * Quitting waits (up to a few seconds) until every terminal's shell is hung up: closing the
 * exec sockets alone would leave the shells running in the containers.
 */
export function hangUpBeforeQuit(app: App, terminals: TerminalService, timeoutMs = 5000): void {
  let done = false;
  app.on('before-quit', (event) => {
    if (done || terminals.sessions().length === 0) return;
    event.preventDefault();
    done = true;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
    void Promise.race([terminals.closeAll(), timeout]).finally(() => app.quit());
  });
}
