/**
 * Every editor command once: label, shortcut (shown in menus and tooltips) and action. The
 * keyboard handler and the menus both read this table, so they cannot disagree.
 */
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { importFile, newLab, openDialog, save, saveAs, setTheme } from './actions';
import { deleteDevNamespace, deployToDev } from '../class/actions';
import { openClusterDialog, useClusterDialog } from '../class/dialogs';

export interface Command {
  id: string;
  label: string;
  /** Display form, e.g. "Ctrl+Shift+Z"; Ctrl means Cmd on macOS. */
  keys?: string[];
  run: () => void | Promise<unknown>;
  /** Canvas commands do not fire while typing in a field. */
  canvas?: boolean;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const showKeys = (keys: string) => (isMac ? keys.replace(/Ctrl\+/g, '⌘').replace(/Shift\+/g, '⇧').replace(/Alt\+/g, '⌥') : keys);


const ed = () => useEditor.getState();

export const COMMANDS = {
  new: { id: 'new', label: 'New lab', keys: ['Ctrl+N'], run: newLab },
  open: { id: 'open', label: 'Open…', keys: ['Ctrl+O'], run: openDialog },
  importCompose: { id: 'importCompose', label: 'Import docker-compose…', run: () => importFile('compose') },
  importContainerlab: { id: 'importContainerlab', label: 'Import containerlab…', run: () => importFile('containerlab') },
  save: { id: 'save', label: 'Save', keys: ['Ctrl+S'], run: save },
  saveAs: { id: 'saveAs', label: 'Save as…', keys: ['Ctrl+Shift+S'], run: saveAs },
  undo: { id: 'undo', label: 'Undo', keys: ['Ctrl+Z'], run: () => ed().undo(), canvas: true },
  redo: { id: 'redo', label: 'Redo', keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], run: () => ed().redo(), canvas: true },
  cut: { id: 'cut', label: 'Cut', keys: ['Ctrl+X'], run: () => ed().cut(), canvas: true },
  copy: { id: 'copy', label: 'Copy', keys: ['Ctrl+C'], run: () => ed().copy(), canvas: true },
  paste: { id: 'paste', label: 'Paste', keys: ['Ctrl+V'], run: () => ed().paste(), canvas: true },
  delete: { id: 'delete', label: 'Delete', keys: ['Delete', 'Backspace'], run: () => ed().removeSelection(), canvas: true },
  selectAll: { id: 'selectAll', label: 'Select all', keys: ['Ctrl+A'], run: () => ed().selectAll(), canvas: true },
  layout: { id: 'layout', label: 'Auto-layout', keys: ['Ctrl+L'], run: () => ed().layout(), canvas: true },
  fit: { id: 'fit', label: 'Zoom to fit', keys: ['Shift+1'], run: () => ed().requestView('fit'), canvas: true },
  zoomIn: { id: 'zoomIn', label: 'Zoom in', keys: ['Ctrl+='], run: () => ed().requestView('zoomIn'), canvas: true },
  zoomOut: { id: 'zoomOut', label: 'Zoom out', keys: ['Ctrl+-'], run: () => ed().requestView('zoomOut'), canvas: true },
  viewCanvas: { id: 'viewCanvas', label: 'Canvas', keys: ['Ctrl+1'], run: () => useUi.getState().setView('canvas') },
  viewYaml: { id: 'viewYaml', label: 'Lab YAML', keys: ['Ctrl+2'], run: () => useUi.getState().setView('yaml') },
  viewCompiled: { id: 'viewCompiled', label: 'Compiled preview', keys: ['Ctrl+3'], run: () => useUi.getState().setView('compiled') },
  theme: { id: 'theme', label: 'Toggle dark theme', keys: ['Ctrl+Shift+D'], run: () => setTheme(useUi.getState().theme === 'dark' ? 'light' : 'dark') },
  cluster: { id: 'cluster', label: 'Cluster…', keys: ['Ctrl+K'], run: () => useUi.getState().openDialog({ kind: 'cluster' }) },
  deploy: { id: 'deploy', label: 'Deploy to dev', keys: ['Ctrl+Shift+Enter'], run: deployToDev },
  undeploy: { id: 'undeploy', label: 'Delete dev namespace…', run: deleteDevNamespace },
  snapshot: { id: 'snapshot', label: 'Snapshot dev…', run: () => openClusterDialog({ kind: 'snapshot' }) },
  publish: { id: 'publish', label: 'Publish to class…', run: () => openClusterDialog({ kind: 'publish' }) },
  viewReleases: { id: 'viewReleases', label: 'Releases', keys: ['Ctrl+4'], run: () => useUi.getState().setView('releases') },
  viewClass: { id: 'viewClass', label: 'Class', keys: ['Ctrl+5'], run: () => useUi.getState().setView('class') },
} satisfies Record<string, Command>;

export type CommandId = keyof typeof COMMANDS;

/** "Ctrl+Shift+Z" for a keyboard event (Cmd counts as Ctrl on macOS). */
export function eventKeys(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey) parts.push('Shift');
  let key = e.key;
  // Shift+1 arrives as "!" on most layouts; use the physical digit.
  if (/^Digit\d$/.test(e.code)) key = e.code.slice(5);
  else if (key.length === 1) key = key.toUpperCase();
  if (key === '+') key = '=';
  parts.push(key);
  return parts.join('+');
}

const byKeys = new Map<string, Command>();
for (const c of Object.values(COMMANDS) as Command[]) for (const k of c.keys ?? []) byKeys.set(k.toUpperCase(), c);

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

export function handleKeyDown(e: KeyboardEvent): void {
  const cmd = byKeys.get(eventKeys(e).toUpperCase());
  if (!cmd) return;
  if (useUi.getState().dialog || useClusterDialog.getState().dialog) return;
  // Undo, copy and delete in a text field belong to the field.
  if (cmd.canvas && (typingIn(e.target) || useUi.getState().view !== 'canvas')) return;
  e.preventDefault();
  void cmd.run();
}

export const tooltip = (c: Command) => (c.keys?.length ? `${c.label} (${c.keys.map(showKeys).join(' / ')})` : c.label);
