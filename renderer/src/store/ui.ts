/** UI state that is not part of the document: dialogs, view, theme, notices. */
import { create } from 'zustand';

export type View = 'canvas' | 'yaml' | 'compiled' | 'releases' | 'class';
export type DialogState =
  | { kind: 'open' }
  | { kind: 'saveAs' }
  | { kind: 'cluster' }
  | { kind: 'confirm'; title: string; message: string; confirm: string; resolve: (ok: boolean) => void }
  | { kind: 'importReport'; fileName: string; imported: boolean; warnings: string[]; errors: string[] }
  | { kind: 'chooseNetwork'; template: string; networks: string[]; resolve: (choice: NetworkAnswer) => void }
  | null;

/** A network's name to join, null for the template's own new network, undefined when cancelled. */
export type NetworkAnswer = string | null | undefined;

export interface Notice {
  id: number;
  tone: 'info' | 'error' | 'success';
  text: string;
}

export interface UiState {
  view: View;
  theme: 'light' | 'dark';
  dialog: DialogState;
  notices: Notice[];
  mode: 'electron' | 'browser' | null;
  workspace: string | null;
  kubeContext: string | null;
  recent: string[];
  setView(v: View): void;
  setTheme(t: 'light' | 'dark'): void;
  openDialog(d: DialogState): void;
  notify(tone: Notice['tone'], text: string): void;
  dismiss(id: number): void;
}

let noticeId = 0;

/** How long a notice stays: errors long enough to read twice, the rest briefly. None stays for good. */
export const NOTICE_MS: Record<Notice['tone'], number> = { info: 5000, success: 5000, error: 20_000 };

export const useUi = create<UiState>()((set, get) => ({
  view: 'canvas',
  theme: 'light',
  dialog: null,
  notices: [],
  mode: null,
  workspace: null,
  kubeContext: null,
  recent: [],
  setView: (view) => set({ view }),
  setTheme: (theme) => set({ theme }),
  openDialog: (dialog) => set({ dialog }),
  notify(tone, text) {
    // The same message again (a call failing on every edit) is already on screen.
    if (get().notices.some((n) => n.tone === tone && n.text === text)) return;
    const id = ++noticeId;
    set({ notices: [...get().notices.slice(-3), { id, tone, text }] });
    setTimeout(() => get().dismiss(id), NOTICE_MS[tone]);
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
}));

/** An in-app confirm; resolves true when the user confirms. */
export function confirmDialog(title: string, message: string, confirm: string): Promise<boolean> {
  return new Promise((resolve) => useUi.getState().openDialog({ kind: 'confirm', title, message, confirm, resolve }));
}

/** Asks which of the lab's networks a dropped template joins (see templateNetworkChoice). */
export function chooseNetworkDialog(template: string, networks: string[]): Promise<NetworkAnswer> {
  return new Promise((resolve) => useUi.getState().openDialog({ kind: 'chooseNetwork', template, networks, resolve }));
}
