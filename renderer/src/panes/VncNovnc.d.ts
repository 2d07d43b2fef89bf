// @novnc/novnc ships no types; this declares the part of RFB (docs/API.md, 1.7) the VNC pane uses.
declare module '@novnc/novnc' {
  /** What RFB accepts instead of a URL: anything shaped like a WebSocket or an RTCDataChannel. */
  export interface RfbChannel {
    binaryType: string;
    readonly protocol: string;
    readonly readyState: number | string;
    onopen: ((ev: Event) => void) | null;
    onmessage: ((ev: { data: ArrayBuffer }) => void) | null;
    onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null;
    onerror: ((ev: Event) => void) | null;
    send(data: Uint8Array): void;
    close(): void;
  }

  export interface RfbOptions {
    /** The ClientInit shared flag: true leaves other viewers connected. */
    shared?: boolean;
    credentials?: { username?: string; password?: string; target?: string };
    repeaterID?: string;
    wsProtocols?: string[];
  }

  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | RfbChannel, options?: RfbOptions);
    viewOnly: boolean;
    scaleViewport: boolean;
    clipViewport: boolean;
    resizeSession: boolean;
    focusOnClick: boolean;
    showDotCursor: boolean;
    background: string;
    qualityLevel: number;
    compressionLevel: number;
    disconnect(): void;
    sendCtrlAltDel(): void;
    sendKey(keysym: number, code: string | null, down?: boolean): void;
    clipboardPasteFrom(text: string): void;
    sendCredentials(credentials: { username?: string; password?: string; target?: string }): void;
    focus(options?: FocusOptions): void;
    blur(): void;
  }
}
