// A minimal client of QEMU's machine protocol (QMP) on a unix socket: one command at a time,
// enough to take a screen dump, read guest memory and quit.
import { connect, type Socket } from 'node:net';

export interface Qmp {
  execute(command: string, args?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export async function openQmp(socketPath: string, timeoutMs = 10_000): Promise<Qmp> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(socketPath, () => resolve(s));
    s.once('error', reject);
  });
  let buffer = '';
  let waiter: ((msg: Record<string, unknown>) => void) | undefined;
  const queue: Record<string, unknown>[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      // Events arrive between replies; nothing here waits for one.
      if ('event' in msg) continue;
      if (waiter) { const w = waiter; waiter = undefined; w(msg); } else queue.push(msg);
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const queued = queue.shift();
    if (queued) return resolve(queued);
    const timer = setTimeout(() => { waiter = undefined; reject(new Error(`QMP at ${socketPath} did not answer in ${timeoutMs} ms`)); }, timeoutMs);
    waiter = (m) => { clearTimeout(timer); resolve(m); };
  });
  await next(); // the greeting
  const execute = async (command: string, args?: Record<string, unknown>) => {
    socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    const reply = await next();
    if ('error' in reply) throw new Error(`QMP ${command}: ${JSON.stringify(reply['error'])}`);
    return reply['return'];
  };
  await execute('qmp_capabilities');
  return { execute, close: () => socket.destroy() };
}
