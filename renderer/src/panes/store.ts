/**
 * The dock's panes: which are open, which is shown (one, or two side by side), the dock's
 * height, and the terminal font size (a persisted setting). A pane is plain data here; the live
 * part of a terminal (xterm and its stream) lives in a TerminalSession kept outside React, so a
 * pane survives switching views, tabs and splits.
 *
 * Panes have a `kind`, and the dock renders each kind with its own view (Dock.tsx), so another
 * kind (a VNC pane) is one more member of the `Pane` union and one more view.
 */
import { create } from 'zustand';
import { invoke } from '../api/client';

export interface TerminalTarget {
  namespace: string;
  /** A lab node (its pod is found by label); or `pod`. */
  node?: string;
  pod?: string;
  container?: string;
  /** The kubeconfig context; absent: the one chosen in settings. */
  context?: string;
  /** What the tab says first, e.g. "student-07 / router" or "web-db-dev / web". */
  title: string;
}

export type PaneStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'exited'; code: number | null; message: string }
  | { kind: 'dropped'; message: string }
  | { kind: 'error'; code: string; message: string };

export interface TerminalPaneState {
  kind: 'terminal';
  id: string;
  target: TerminalTarget;
  status: PaneStatus;
  /** Filled in once main found the pod. */
  pod: string | null;
  container: string | null;
  containers: string[];
}

/** Where a VNC pane looks: a lab node's screen (a VM's console, or a desktop node's VNC port). */
export interface VncTarget {
  namespace: string;
  node: string;
  context?: string;
  title: string;
  /** Watch without sending keys or pointer (the default on a student's screen). */
  viewOnly: boolean;
}

export interface VncPaneState {
  kind: 'vnc';
  id: string;
  target: VncTarget;
  status: PaneStatus;
  /** Filled in once main found the screen: the VM (its VMI) or the pod, and how it is reached. */
  name: string | null;
  via: 'vm' | 'pod' | null;
  viewOnly: boolean;
  /** Scale the remote screen to fit the pane (else scroll it at its own size). */
  scale: boolean;
}

/** Every kind of pane the dock can hold. */
export type Pane = TerminalPaneState | VncPaneState;

/** The tooltip of a pane's tab: namespace / pod or node / container. */
export function paneWhere(p: Pane): string {
  if (p.kind === 'vnc') return `${p.target.namespace} / ${p.name ?? p.target.node}${p.via === 'vm' ? ' (VM console)' : ''}`;
  return `${p.target.namespace} / ${p.pod ?? p.target.node ?? p.target.pod ?? ''}${p.container ? ` / ${p.container}` : ''}`;
}

/** The small text after a tab's title: the container, or "VNC". */
export function paneDetail(p: Pane): string | null {
  return p.kind === 'vnc' ? (p.viewOnly ? 'VNC · view only' : 'VNC') : p.container;
}

export type Side = 'left' | 'right';

export interface PanesState {
  panes: Pane[];
  /** The pane on the left (the only one when not split). */
  left: string | null;
  /** The pane on the right when split. */
  right: string | null;
  split: boolean;
  /** Which side a tab click fills when split. */
  focus: Side;
  open: boolean;
  height: number;
  fontSize: number;
}

export const MIN_DOCK = 120;
export const DEFAULT_FONT_SIZE = 13;

/**
 * The dock's first height: a share of the window, so on a laptop screen (768 px) the view above
 * keeps most of the height (the class grid its ten rows), and at most 300 px on a large one.
 */
export function defaultDockHeight(windowHeight: number): number {
  return Math.round(Math.min(300, Math.max(MIN_DOCK, windowHeight * 0.3)));
}

export const usePanes = create<PanesState>()(() => ({
  panes: [],
  left: null,
  right: null,
  split: false,
  focus: 'left',
  open: true,
  height: defaultDockHeight(typeof window === 'undefined' ? 1000 : window.innerHeight),
  fontSize: DEFAULT_FONT_SIZE,
}));

/** The dock's height while it shows a remote screen: close to half the window, so a desktop is readable. */
export function vncDockHeight(windowHeight: number): number {
  return Math.round(Math.max(MIN_DOCK, windowHeight * 0.48));
}

let nextId = 1;


/**
 * Opens a terminal pane in the dock and shows it. This is the entry point for every place that
 * opens terminals: the canvas, the command palette, the class dashboard.
 */
export function openTerminal(target: TerminalTarget): string {
  const id = `pane-${nextId++}`;
  const pane: TerminalPaneState = { kind: 'terminal', id, target, status: { kind: 'connecting' }, pod: null, container: target.container ?? null, containers: [] };
  const s = usePanes.getState();
  // Not split: the pane shown until now is remembered as the partner for a later split.
  if (s.split) usePanes.setState({ panes: [...s.panes, pane], [s.focus]: id, open: true });
  else usePanes.setState({ panes: [...s.panes, pane], left: id, right: s.left, open: true });
  return id;
}

export function updatePane(id: string, patch: Partial<Omit<TerminalPaneState, 'kind' | 'id'>>): void {
  usePanes.setState((s) => ({ panes: s.panes.map((p) => (p.id === id && p.kind === 'terminal' ? { ...p, ...patch } : p)) }));
}

/**
 * Opens a VNC pane on a node's screen and shows it: the canvas (dev), the command palette and
 * the class dashboard call this. Pass `viewOnly: true` for a student's screen.
 */
export function openVnc(target: VncTarget): string {
  const id = `pane-${nextId++}`;
  const pane: VncPaneState = { kind: 'vnc', id, target, status: { kind: 'connecting' }, name: null, via: null, viewOnly: target.viewOnly, scale: true };
  const s = usePanes.getState();
  const side: Side = s.split ? s.focus : 'left';
  // A screen needs more room than a shell: the dock grows to its share for screens (never shrinks).
  const windowHeight = typeof window === 'undefined' ? 1000 : window.innerHeight;
  usePanes.setState({ panes: [...s.panes, pane], [side]: id, open: true, height: Math.max(s.height, vncDockHeight(windowHeight)) });
  return id;
}

export function updateVncPane(id: string, patch: Partial<Omit<VncPaneState, 'kind' | 'id'>>): void {
  usePanes.setState((s) => ({ panes: s.panes.map((p) => (p.id === id && p.kind === 'vnc' ? { ...p, ...patch } : p)) }));
}

/** Shows a pane on the focused side (or alone). */
export function showPane(id: string): void {
  const s = usePanes.getState();
  if (!s.split) usePanes.setState({ left: id, right: s.left === id ? s.right : s.left, open: true });
  else if (s.focus === 'right') usePanes.setState({ right: id, left: s.left === id ? s.right : s.left });
  else usePanes.setState({ left: id, right: s.right === id ? s.left : s.right });
}

export function focusSide(side: Side): void {
  if (usePanes.getState().focus !== side) usePanes.setState({ focus: side });
}

/**
 * Two panes side by side, or one. Splitting pairs the shown pane with the one shown before it
 * (or the latest other one), in tab order, and keeps the shown one focused.
 */
export function toggleSplit(): void {
  const s = usePanes.getState();
  if (s.split) {
    usePanes.setState({ split: false, focus: 'left', right: null });
    return;
  }
  const current = s.left;
  const others = s.panes.filter((p) => p.id !== current);
  const partner = others.find((p) => p.id === s.right)?.id ?? others[others.length - 1]?.id ?? null;
  if (!current || !partner) return;
  const index = (id: string) => s.panes.findIndex((p) => p.id === id);
  const [left, right] = index(current) < index(partner) ? [current, partner] : [partner, current];
  usePanes.setState({ split: true, left, right, focus: left === current ? 'left' : 'right' });
}

/** Removes a pane; whoever owns its live part disposes of it (see Dock.tsx). */
export function removePane(id: string): void {
  const s = usePanes.getState();
  const index = s.panes.findIndex((p) => p.id === id);
  if (index < 0) return;
  const panes = s.panes.filter((p) => p.id !== id);
  const neighbour = panes[Math.min(index, panes.length - 1)]?.id ?? null;
  let { left, right } = s;
  // The closed pane's place goes to its partner, else to its neighbour in the tab strip.
  if (left === id) left = right && right !== id ? right : neighbour;
  if (right === id || right === left) right = panes.find((p) => p.id !== left)?.id ?? null;
  usePanes.setState({ panes, left, right, split: s.split && right !== null && panes.length > 1 });
}

export function setDockHeight(height: number): void {
  const max = Math.max(MIN_DOCK, window.innerHeight - 160);
  usePanes.setState({ height: Math.round(Math.min(max, Math.max(MIN_DOCK, height))) });
}

let fontLoaded = false;
/** The terminal font size from settings, read once. */
export function loadFontSize(): void {
  if (fontLoaded) return;
  fontLoaded = true;
  void invoke('settings.get', {}).then((r) => {
    if (r.ok) usePanes.setState({ fontSize: r.value.terminalFontSize });
  });
}

export function setFontSize(size: number): void {
  const fontSize = Math.min(32, Math.max(8, Math.round(size)));
  usePanes.setState({ fontSize });
  void invoke('settings.update', { patch: { terminalFontSize: fontSize } });
}
