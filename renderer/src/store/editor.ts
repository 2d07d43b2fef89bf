/**
 * The editor store (zustand): the document (lab + layout), undo/redo stacks, selection,
 * clipboard, file state and the latest validation issues. React Flow nodes are derived from
 * it (canvas/graph.ts); nothing here knows about React Flow.
 */
import { create } from 'zustand';
import type { Lab } from '../../../common/lab/schema';
import type { Response } from '../../../common/api/contract';
import { autoLayout, fromLab } from './auto-layout';
import { copyItems, insertLab, pasteClip, templateNetworkChoice, type Clip } from './clipboard';
import { addBlank, connect, emptyDoc, entityId, parseId, removeItems, rename, setPositions, type Doc, type EntityKind, type Pos } from './doc';
import type { BlankKind } from './palette';

/** An issue as lab.validate reports it. */
export type LabIssue = Response<'lab.validate'>['issues'][number];

export interface Issue extends LabIssue {
  /** The canvas item it belongs to (e.g. node:web), or null for lab-level issues. */
  target: string | null;
  /** The field inside the item, dotted (e.g. "image", "ports.0.port"). */
  field: string;
}

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1200;

export interface EditorState {
  doc: Doc;
  past: Doc[];
  future: Doc[];
  /**
   * The doc as last saved or opened; dirty = doc !== savedDoc. Null for a lab that exists in no
   * file (an import): it is unsaved work from the start, so replacing it asks first.
   */
  savedDoc: Doc | null;
  filePath: string | null;
  selection: string[];
  clipboard: Clip | null;
  issues: Issue[];
  /** Issues for the doc they were computed for; stale until the next validation lands. */
  issuesFor: Doc | null;
  /*
   * Requests to the views. They are state, not calls: the view acts once it has rendered the
   * doc the request came with (a loaded lab is fitted when its nodes are on the canvas; a hidden
   * canvas acts when it shows), then marks the request handled.
   */
  /** The canvas item to center (problems list, search). */
  focusRequest: string | null;
  /** What the canvas should do with its viewport. */
  viewRequest: ViewAction | null;
  /** The inspector field to put the cursor in once it shows (a new mount's path), by the item's id. */
  fieldFocus: string | null;

  coalesce: { key: string; at: number } | null;
  dragOrigin: Doc | null;

  load(lab: Lab, path: string | null): void;
  newLab(): void;
  markSaved(path: string): void;
  /** Applies an edit as one undo step; edits with the same coalesce key in quick succession merge. */
  edit(fn: (doc: Doc) => Doc, coalesceKey?: string): void;
  /** Adds a blank item at `pos` (its top-left corner) and selects it. */
  add(kind: BlankKind, pos: Pos): string;
  /**
   * Inserts a template's lab centred on `center` and selects what it added. `join` names the lab's
   * network its one network becomes; null keeps its own; left out, it joins the lab's network
   * when the lab has exactly one (with several, the caller asks which: templateNetworkChoice).
   */
  insertLab(lab: Lab, center: Pos, join?: string | null): string[];
  connect(a: string, b: string): string | null;
  removeSelection(): void;
  remove(ids: string[]): void;
  rename(kind: EntityKind, from: string, to: string): void;
  beginDrag(): void;
  dragTo(moves: ReadonlyMap<string, Pos>): void;
  endDrag(): void;
  undo(): void;
  redo(): void;
  select(ids: string[]): void;
  selectAll(): void;
  copy(): void;
  cut(): void;
  paste(): void;
  layout(): void;
  setIssues(doc: Doc, issues: Omit<Issue, 'target' | 'field'>[]): void;
  focus(id: string): void;
  requestView(action: ViewAction): void;
  focusField(id: string): void;
  handled(request: 'focusRequest' | 'viewRequest' | 'fieldFocus'): void;
}

export type ViewAction = 'fit' | 'zoomIn' | 'zoomOut';

/** Which canvas item and field an issue path points at, using the doc it was computed for. */
export function locateIssue(doc: Doc, path: (string | number)[]): { target: string | null; field: string } {
  const [section, index, ...rest] = path;
  const field = rest.join('.');
  if (typeof index === 'number') {
    if (section === 'nodes') {
      const n = doc.lab.nodes[index];
      return { target: n ? entityId('node', n.name) : null, field };
    }
    if (section === 'networks') {
      const n = doc.lab.networks[index];
      return { target: n ? entityId('network', n.name) : null, field };
    }
    if (section === 'volumes') {
      const v = doc.lab.volumes[index];
      return { target: v ? entityId('volume', v.name) : null, field };
    }
    if (section === 'exposures') {
      const e = doc.lab.exposures[index];
      return { target: e ? entityId('node', e.node) : null, field: `exposures.${field}` };
    }
    if (section === 'checks') {
      // A check shows its issues on its node, under the check (by its index in the lab's checks).
      const c = doc.lab.checks?.[index];
      return { target: c ? entityId('node', c.node) : null, field: `checks.${index}${field ? `.${field}` : ''}` };
    }
  }
  if (section === 'metadata') return { target: null, field: `metadata.${String(index ?? '')}` };
  return { target: null, field: path.join('.') };
}

const fitRequest = { viewRequest: 'fit' } as const;

export const useEditor = create<EditorState>()((set, get) => {
  const initial = emptyDoc();
  /** `also` joins the same update, so the canvas never renders the doc without it. */
  const commit = (next: Doc, selection?: string[], coalesceKey?: string, also: Partial<EditorState> = {}) => {
    const s = get();
    if (next === s.doc) {
      set({ ...also, ...(selection ? { selection } : {}) });
      return;
    }
    const now = Date.now();
    const merge = coalesceKey !== undefined && s.coalesce?.key === coalesceKey && now - s.coalesce.at < COALESCE_MS && s.past.length > 0;
    set({
      doc: next,
      past: merge ? s.past : [...s.past, s.doc].slice(-HISTORY_LIMIT),
      future: [],
      coalesce: coalesceKey !== undefined ? { key: coalesceKey, at: now } : null,
      ...(selection ? { selection } : {}),
      ...also,
    });
  };
  /** Keeps only selected ids that still exist after an undo/redo. */
  const existing = (doc: Doc, ids: string[]) =>
    ids.filter((id) => {
      const p = parseId(id);
      if (!p) return false;
      if (p.type === 'node') return doc.lab.nodes.some((n) => n.name === p.name);
      if (p.type === 'network') return doc.lab.networks.some((n) => n.name === p.name);
      if (p.type === 'volume') return doc.lab.volumes.some((n) => n.name === p.name);
      if (p.type === 'link') return doc.lab.nodes.some((n) => n.name === p.node && n.networks?.includes(p.network));
      return doc.lab.nodes.some((n) => n.name === p.node && (n.volumes?.length ?? 0) > p.index);
    });

  return {
    doc: initial,
    past: [],
    future: [],
    savedDoc: initial,
    filePath: null,
    selection: [],
    clipboard: null,
    issues: [],
    issuesFor: null,
    focusRequest: null,
    viewRequest: null,
    fieldFocus: null,
    coalesce: null,
    dragOrigin: null,

    load(lab, path) {
      const doc = fromLab(lab);
      set({ doc, savedDoc: path === null ? null : doc, past: [], future: [], filePath: path, selection: [], issues: [], issuesFor: null, coalesce: null, ...fitRequest });
    },
    newLab() {
      const doc = emptyDoc();
      set({ doc, savedDoc: doc, past: [], future: [], filePath: null, selection: [], issues: [], issuesFor: null, coalesce: null, ...fitRequest });
    },
    markSaved(path) {
      set({ savedDoc: get().doc, filePath: path });
    },
    edit(fn, coalesceKey) {
      commit(fn(get().doc), undefined, coalesceKey);
    },
    add(kind, pos) {
      const r = addBlank(get().doc, kind, pos);
      commit(r.doc, [r.id]);
      return r.id;
    },
    insertLab(lab, center, join) {
      const choice = templateNetworkChoice(get().doc, lab);
      const network = join === undefined ? (choice.kind === 'join' ? choice.network : undefined) : (join ?? undefined);
      const r = insertLab(get().doc, lab, center, network);
      commit(r.doc, r.ids);
      return r.ids;
    },
    connect(a, b) {
      const r = connect(get().doc, a, b);
      if (!r) return null;
      commit(r.doc);
      return r.edge;
    },
    removeSelection() {
      get().remove(get().selection);
    },
    remove(ids) {
      commit(removeItems(get().doc, ids), []);
    },
    rename(kind, from, to) {
      const id = entityId(kind, from);
      const sel = get().selection.map((s) => (s === id ? entityId(kind, to) : s));
      commit(rename(get().doc, kind, from, to), sel, `rename:${kind}:${to}`);
    },
    beginDrag() {
      set({ dragOrigin: get().doc });
    },
    dragTo(moves) {
      const s = get();
      const next = setPositions(s.doc, moves);
      // During a drag the positions change without history; endDrag records one step.
      if (s.dragOrigin) set({ doc: next });
      else commit(next);
    },
    endDrag() {
      const s = get();
      if (s.dragOrigin && s.dragOrigin !== s.doc) {
        set({ past: [...s.past, s.dragOrigin].slice(-HISTORY_LIMIT), future: [], coalesce: null });
      }
      set({ dragOrigin: null });
    },
    undo() {
      const s = get();
      const prev = s.past[s.past.length - 1];
      if (!prev) return;
      set({ doc: prev, past: s.past.slice(0, -1), future: [s.doc, ...s.future], coalesce: null, selection: existing(prev, s.selection) });
    },
    redo() {
      const s = get();
      const next = s.future[0];
      if (!next) return;
      set({ doc: next, past: [...s.past, s.doc], future: s.future.slice(1), coalesce: null, selection: existing(next, s.selection) });
    },
    select(ids) {
      const cur = get().selection;
      if (cur.length === ids.length && cur.every((x, i) => x === ids[i])) return;
      set({ selection: ids });
    },
    selectAll() {
      const { lab } = get().doc;
      set({
        selection: [
          ...lab.networks.map((n) => entityId('network', n.name)),
          ...lab.nodes.map((n) => entityId('node', n.name)),
          ...lab.volumes.map((v) => entityId('volume', v.name)),
        ],
      });
    },
    copy() {
      const clip = copyItems(get().doc, get().selection);
      if (clip) set({ clipboard: clip });
    },
    cut() {
      get().copy();
      get().removeSelection();
    },
    paste() {
      const clip = get().clipboard;
      if (!clip) return;
      const r = pasteClip(get().doc, clip, { x: 40, y: 40 });
      commit(r.doc, r.ids);
      // Pasting again offsets again.
      set({ clipboard: { ...clip, positions: Object.fromEntries(Object.entries(clip.positions).map(([k, p]) => [k, { x: p.x + 40, y: p.y + 40 }])) } });
    },
    layout() {
      commit(autoLayout(get().doc), undefined, undefined, fitRequest);
    },
    setIssues(doc, issues) {
      set({ issues: issues.map((i) => ({ ...i, ...locateIssue(doc, i.path) })), issuesFor: doc });
    },
    focus(id) {
      set({ selection: [id], focusRequest: id });
    },
    requestView(action) {
      set({ viewRequest: action });
    },
    focusField(id) {
      set({ fieldFocus: id });
    },
    handled(request) {
      set({ [request]: null });
    },
  };
});

export const isDirty = (s: Pick<EditorState, 'doc' | 'savedDoc'>) => s.doc !== s.savedDoc;
