/**
 * The cluster end of a VNC session: a WebSocket through the API server that carries the RFB
 * bytes, in one of two framings.
 *
 * - KubeVirt's VNC subresource (`plain.kubevirt.io`): every binary message is RFB bytes, both ways.
 * - A pod's port through port-forward (`v4.channel.k8s.io`, as the kubelet's WebSocket
 *   port-forward speaks it for one port): each message starts with a channel byte, 0 for data
 *   and 1 for errors; the first message on each channel from the server carries the port number
 *   (2 bytes, little-endian) before any payload. We send on channel 0.
 *
 * Credentials come from the kubeconfig (client-node's applyToHTTPSOptions), as for every other
 * API call; a refused upgrade becomes a TerminalError with the server's own message.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket, { type RawData } from 'ws';
import { dialApiSocket } from './api-socket';
import { TerminalError } from './errors';

export const PLAIN_KUBEVIRT_PROTOCOL = 'plain.kubevirt.io';
const PORT_FORWARD_PROTOCOL = 'v4.channel.k8s.io';
/** KubeVirt's words when `preserveSession=true` meets an open session (virt-handler's 503). */
const KUBEVIRT_IN_USE = /active vnc connection/i;
const MAX_FRAME = 16 * 1024 * 1024;

export type VncRoute =
  | { kind: 'vm'; namespace: string; name: string }
  | { kind: 'pod'; namespace: string; name: string; port: number };

/** The API path and subprotocol of a route. */
export function routePath(route: VncRoute): { path: string; protocol: string } {
  const ns = encodeURIComponent(route.namespace);
  const name = encodeURIComponent(route.name);
  if (route.kind === 'vm') {
    // preserveSession: if someone (the student) is on the console, KubeVirt refuses us instead
    // of closing their session, which is what it does by default.
    return { path: `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}/vnc?preserveSession=true`, protocol: PLAIN_KUBEVIRT_PROTOCOL };
  }
  return { path: `/api/v1/namespaces/${ns}/pods/${name}/portforward?ports=${route.port}`, protocol: PORT_FORWARD_PROTOCOL };
}

function describe(route: VncRoute): string {
  return route.kind === 'vm' ? `the VNC console of VM ${route.namespace}/${route.name}` : `port ${route.port} of pod ${route.namespace}/${route.name}`;
}

export interface UpstreamEnd {
  /** 'exited': the VNC server ended the session; 'dropped': the connection broke or was refused mid-way. */
  reason: 'exited' | 'dropped';
  message: string;
}

/** Splits port-forward messages into data and error bytes (see the header). */
export class PortForwardDecoder {
  private readonly seenPort = [false, false];
  error = '';

  /** The RFB bytes in one server message (possibly none). */
  decode(message: Buffer): Buffer | null {
    if (message.length < 1) return null;
    const channel = message[0]!;
    let payload = message.subarray(1);
    if (channel > 1) return null;
    if (!this.seenPort[channel]) {
      // The first frame of a channel names the port; it may carry payload after it, or be short.
      this.seenPort[channel] = true;
      payload = payload.subarray(Math.min(2, payload.length));
    }
    if (channel === 1) {
      if (payload.length) this.error += payload.toString('utf8');
      return null;
    }
    return payload.length ? payload : null;
  }

  static encode(data: Buffer): Buffer {
    return Buffer.concat([Buffer.from([0]), data]);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class VncUpstream {
  private ended = false;
  private readonly decoder: PortForwardDecoder | null;
  onData: (chunk: Buffer) => void = () => {};
  onEnd: (end: UpstreamEnd) => void = () => {};

  private constructor(
    private readonly ws: WebSocket,
    readonly route: VncRoute,
  ) {
    this.decoder = route.kind === 'pod' ? new PortForwardDecoder() : null;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const buf = toBuffer(data);
      const chunk = this.decoder ? this.decoder.decode(buf) : buf;
      if (chunk) this.onData(chunk);
    });
    ws.on('close', () => this.finish());
    ws.on('error', (err) => this.finish(err.message));
  }

  /** Dials the route; rejects with a TerminalError (forbidden, not_found, busy, unreachable...). */
  static async open(kc: KubeConfig, route: VncRoute): Promise<VncUpstream> {
    const { path, protocol } = routePath(route);
    const ws = await dialApiSocket(kc, path, {
      protocols: [protocol],
      what: describe(route),
      maxPayload: MAX_FRAME,
      refusal: (status, said, what) =>
        status === 503 && said && KUBEVIRT_IN_USE.test(said)
          ? new TerminalError('busy', `someone is already connected to ${what}; KubeVirt allows one VNC session per VM, and Labforge does not take it over (${said})`)
          : undefined,
    });
    if (ws.protocol !== protocol) {
      ws.terminate();
      throw new TerminalError('internal', `${describe(route)}: the server answered with subprotocol "${ws.protocol}", not ${protocol}`);
    }
    return new VncUpstream(ws, route);
  }

  write(data: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(this.decoder ? PortForwardDecoder.encode(data) : data, { binary: true });
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Ends the session from our side: no onEnd, the pane asked for it. */
  close(): void {
    this.ended = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  private finish(error?: string) {
    if (this.ended) return;
    this.ended = true;
    const forwarded = this.decoder?.error.trim();
    if (forwarded) this.onEnd({ reason: 'dropped', message: `the port-forward failed: ${forwarded}` });
    else if (error) this.onEnd({ reason: 'dropped', message: `the connection to the cluster broke: ${error}` });
    else this.onEnd({ reason: 'exited', message: 'the VNC server closed the connection' });
  }
}
