import { describe, expect, it } from 'vitest';
import { TerminalBridge, type StreamEndpoint } from './bridge';

/** `unread`: a socket the page never reads, so everything sent stays in the transport's buffer. */
function fakeEndpoint(opts: { unread?: boolean } = {}) {
  const sent: (Buffer | string)[] = [];
  let onMessage: (d: Buffer | string) => void = () => undefined;
  let onClose: () => void = () => undefined;
  let closed = false;
  const endpoint: StreamEndpoint = {
    send: (d) => sent.push(d),
    close: () => {
      closed = true;
    },
    bufferedAmount: () => (opts.unread ? sent.reduce((n, d) => n + d.length, 0) : 0),
    onMessage: (l) => (onMessage = l),
    onClose: (l) => (onClose = l),
  };
  return { endpoint, sent, pane: (d: Buffer | string) => onMessage(d), hangUp: () => onClose(), isClosed: () => closed };
}

function fakeSource() {
  const calls: string[] = [];
  const input: Buffer[] = [];
  return {
    calls,
    input,
    source: {
      write: (d: Buffer) => input.push(d),
      resize: (c: number, r: number) => calls.push(`resize ${c}x${r}`),
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    },
  };
}

const chunk = (n: number) => Buffer.alloc(n, 0x79);
const ack = (bytes: number) => JSON.stringify({ type: 'ack', bytes });

/** Lets the bridge send what it collected in this turn of the event loop. */
const turn = () => new Promise((r) => setImmediate(r));

describe('TerminalBridge', () => {
  it('holds output until the pane attaches, pausing the source at a quarter window', async () => {
    const { source, calls } = fakeSource();
    const b = new TerminalBridge(1000, source, () => undefined);
    b.output(chunk(200));
    expect(calls).toEqual([]);
    b.output(chunk(100));
    expect(calls).toEqual(['pause']);
    await turn();
    const ep = fakeEndpoint();
    b.attach(ep.endpoint);
    // One turn's output is one frame.
    expect(ep.sent.map((d) => d.length)).toEqual([300]);
    expect(calls).toEqual(['pause', 'resume']);
    expect(b.stats()).toMatchObject({ inFlight: 300, queued: 0, paused: false });
  });

  it('never has more than the window (plus one chunk) unacknowledged, and releases on acks', async () => {
    const { source, calls } = fakeSource();
    const b = new TerminalBridge(1000, source, () => undefined);
    const ep = fakeEndpoint();
    b.attach(ep.endpoint);
    for (let i = 0; i < 20; i++) {
      b.output(chunk(100));
      await turn();
    }
    expect(b.stats()).toMatchObject({ inFlight: 1000, queued: 1000, paused: true });
    expect(calls).toEqual(['pause']);
    ep.pane(ack(500));
    expect(b.stats()).toMatchObject({ inFlight: 1000, queued: 500, paused: true });
    ep.pane(ack(1000));
    expect(b.stats()).toMatchObject({ inFlight: 500, queued: 0, paused: false });
    expect(calls).toEqual(['pause', 'resume']);
    expect(b.stats().maxInFlight).toBe(1000);
    expect(ep.sent.reduce((n, d) => n + d.length, 0)).toBe(2000);
  });

  it("caps what waits in the transport by what the socket took, whatever the page acks (issue 32, item 9)", async () => {
    const { source, calls } = fakeSource();
    const window = 1000;
    const b = new TerminalBridge(window, source, () => undefined);
    const ep = fakeEndpoint({ unread: true });
    b.attach(ep.endpoint);
    // The container floods; the page reads nothing and acks far more than it was sent.
    for (let i = 0; i < 200; i++) {
      if (calls.at(-1) !== 'pause') b.output(chunk(100));
      await turn();
      ep.pane(ack(Number.MAX_SAFE_INTEGER));
    }
    const sent = ep.sent.reduce((n, d) => n + d.length, 0);
    expect(sent).toBeLessThanOrEqual(window + 100);
    expect(b.stats()).toMatchObject({ paused: true });
    expect(b.stats().inFlight).toBeGreaterThanOrEqual(window);
    expect(b.stats().maxTransportBuffered).toBeLessThanOrEqual(window + 100);
    b.detach();
  });

  it('sends on once the transport drains, with no ack to prompt it', async () => {
    const { source } = fakeSource();
    let buffered = 0;
    const ep = fakeEndpoint();
    const b = new TerminalBridge(1000, source, () => undefined);
    b.attach({ ...ep.endpoint, bufferedAmount: () => buffered });
    b.output(chunk(600));
    await turn();
    ep.pane(ack(600));
    buffered = 1000;
    b.output(chunk(600));
    await turn();
    expect(ep.sent).toHaveLength(1);
    buffered = 0;
    await new Promise((r) => setTimeout(r, 60));
    expect(ep.sent.map((d) => d.length)).toEqual([600, 600]);
    b.detach();
  });

  it('keeps control messages in order behind the output before them', async () => {
    const { source } = fakeSource();
    const b = new TerminalBridge(100, source, () => undefined);
    const ep = fakeEndpoint();
    b.attach(ep.endpoint);
    b.output(chunk(100));
    await turn();
    b.output(chunk(50));
    b.control({ type: 'exit', reason: 'exited', code: 3, message: 'x' });
    expect(ep.sent).toHaveLength(1);
    ep.pane(ack(100));
    expect(ep.sent).toHaveLength(3);
    expect(JSON.parse(ep.sent[2] as string)).toMatchObject({ type: 'exit', code: 3 });
  });

  it('joins a turn\'s pieces into frames of about 32 KiB', async () => {
    const { source } = fakeSource();
    const b = new TerminalBridge(1024 * 1024, source, () => undefined);
    const ep = fakeEndpoint();
    b.attach(ep.endpoint);
    for (let i = 0; i < 40; i++) b.output(chunk(2000));
    expect(ep.sent).toHaveLength(0);
    await turn();
    expect(ep.sent.map((d) => d.length)).toEqual([34000, 34000, 12000]);
  });

  it('passes input and resizes on, ignores malformed control, and detaches once on close', () => {
    const { source, calls, input } = fakeSource();
    let detached = 0;
    const b = new TerminalBridge(100, source, () => detached++);
    const ep = fakeEndpoint();
    b.attach(ep.endpoint);
    ep.pane(Buffer.from('ls\r'));
    ep.pane(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    for (const bad of ['nope', '{}', JSON.stringify({ type: 'resize', cols: -1, rows: 2 }), JSON.stringify({ type: 'ack', bytes: 1.5 })]) ep.pane(bad);
    expect(input.map(String)).toEqual(['ls\r']);
    expect(calls).toEqual(['resize 120x40']);
    ep.hangUp();
    b.detach();
    expect(detached).toBe(1);
    // A second pane for the same session is turned away.
    const again = fakeEndpoint();
    b.attach(again.endpoint);
    expect(again.isClosed()).toBe(true);
  });
});
