/** File and app actions shared by menus, shortcuts and dialogs. */
import { invoke } from '../api/client';
import { toLab } from '../store/doc';
import { isDirty, useEditor } from '../store/editor';
import { confirmDialog, useUi } from '../store/ui';
import { sortImportFiles } from './import-files';

const notify = (tone: 'info' | 'error' | 'success', text: string) => useUi.getState().notify(tone, text);

export const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;

/** Asks before throwing away unsaved changes; true = go ahead. */
export async function confirmDiscard(action: string): Promise<boolean> {
  if (!isDirty(useEditor.getState())) return true;
  return confirmDialog('Unsaved changes', `The lab has unsaved changes. ${action} anyway and lose them?`, `Discard and ${action.toLowerCase()}`);
}

export async function newLab(): Promise<void> {
  if (!(await confirmDiscard('Create a new lab'))) return;
  // The new lab comes with a request to fit the view, which the canvas honours once shown.
  useEditor.getState().newLab();
  useUi.getState().setView('canvas');
}

async function rememberRecent(path: string) {
  const r = await invoke('settings.addRecent', { path });
  if (r.ok) useUi.setState({ recent: r.value.recent });
  else notify('error', `Cannot add ${baseName(path)} to the recent labs: ${r.error.message}`);
}

/** Loads YAML text as the current lab; reports parse errors with line:column. */
export async function loadText(text: string, path: string | null): Promise<boolean> {
  const parsed = await invoke('lab.parse', { text });
  if (!parsed.ok) {
    notify('error', parsed.error.message);
    return false;
  }
  if (!parsed.value.lab) {
    const first = parsed.value.issues[0];
    const where = first?.line !== undefined ? `${baseName(path ?? 'lab')}:${first.line}:${first.column ?? 1}: ` : '';
    notify('error', `Cannot open ${baseName(path ?? 'the lab')}: ${where}${first?.path.length ? `${first.path.join('.')}: ` : ''}${first?.message ?? 'invalid lab'}${parsed.value.issues.length > 1 ? ` (+${parsed.value.issues.length - 1} more)` : ''}`);
    return false;
  }
  // Loading asks the canvas to fit the view once it has the new nodes.
  useEditor.getState().load(parsed.value.lab, path);
  return true;
}

export async function openPath(path: string, { confirmed = false } = {}): Promise<boolean> {
  if (!confirmed && !(await confirmDiscard('Open another lab'))) return false;
  const file = await invoke('file.read', { path });
  if (!file.ok) {
    notify('error', `Cannot open ${baseName(path)}: ${file.error.message}`);
    return false;
  }
  if (!(await loadText(file.value.text, file.value.path))) return false;
  useUi.getState().setView('canvas');
  await rememberRecent(file.value.path);
  notify('info', `Opened ${baseName(file.value.path)}`);
  return true;
}

/** Open: a native dialog in Electron, the workspace file list in a browser. */
export async function openDialog(): Promise<void> {
  if (useUi.getState().mode === 'electron') {
    if (!(await confirmDiscard('Open another lab'))) return;
    const r = await invoke('file.openDialog', {});
    if (!r.ok) return notify('error', r.error.message);
    if (!r.value.file) return;
    if (await loadText(r.value.file.text, r.value.file.path)) await rememberRecent(r.value.file.path);
    return;
  }
  useUi.getState().openDialog({ kind: 'open' });
}

async function writeTo(path: string): Promise<boolean> {
  const doc = useEditor.getState().doc;
  const text = await invoke('lab.serialize', { lab: toLab(doc) });
  if (!text.ok) {
    notify('error', `Cannot save: ${text.error.message}`);
    return false;
  }
  const w = await invoke('file.write', { path, text: text.value.text });
  if (!w.ok) {
    notify('error', `Cannot save: ${w.error.message}`);
    return false;
  }
  // Only what was written counts as saved; edits made meanwhile stay dirty.
  useEditor.setState({ savedDoc: doc, filePath: w.value.path });
  await rememberRecent(w.value.path);
  const issues = useEditor.getState().issues.length;
  notify(issues ? 'info' : 'success', `Saved ${baseName(w.value.path)}${issues ? ` (${issues} problem${issues === 1 ? '' : 's'} still to fix)` : ''}`);
  return true;
}

export async function save(): Promise<boolean> {
  const { filePath } = useEditor.getState();
  const workspace = useUi.getState().workspace;
  // Examples are read-only: saving one means Save As into the workspace.
  const writable = filePath && (useUi.getState().mode === 'electron' || (workspace !== null && filePath.startsWith(workspace)));
  if (!writable) return saveAs();
  return writeTo(filePath);
}

export async function saveAs(): Promise<boolean> {
  if (useUi.getState().mode === 'electron') {
    const name = `${useEditor.getState().doc.lab.metadata.name}.yaml`;
    const r = await invoke('file.saveDialog', { defaultName: name });
    if (!r.ok) {
      notify('error', r.error.message);
      return false;
    }
    return r.value.path ? writeTo(r.value.path) : false;
  }
  useUi.getState().openDialog({ kind: 'saveAs' });
  return false;
}

/** Save As in browser mode: a name relative to the workspace. */
export async function saveAsName(name: string): Promise<boolean> {
  const trimmed = name.trim();
  const file = /\.ya?ml$/i.test(trimmed) ? trimmed : `${trimmed}.yaml`;
  return writeTo(file);
}

/**
 * File › Import: the user picks a compose file or containerlab topology with the browser's own
 * file picker (no path is granted to anything), main converts it, and the lab opens unsaved.
 */
export async function importFile(format: 'compose' | 'containerlab'): Promise<void> {
  if (!(await confirmDiscard('Import a lab'))) return;
  const input = document.createElement('input');
  input.type = 'file';
  // A compose file may come with its env file (`.env`): picked together, it feeds ${VAR}.
  input.accept = format === 'compose' ? '.yml,.yaml,.env' : '.yml,.yaml';
  input.multiple = format === 'compose';
  input.style.display = 'none';
  input.dataset['testid'] = 'import-file-input';
  document.body.appendChild(input);
  const picked = await new Promise<File[]>((resolve) => {
    input.addEventListener('change', () => resolve([...(input.files ?? [])]), { once: true });
    input.addEventListener('cancel', () => resolve([]), { once: true });
    input.click();
  });
  input.remove();
  if (picked.length === 0) return;
  const sorted = sortImportFiles(picked);
  if ('problem' in sorted) return notify('error', `Cannot import: ${sorted.problem}`);
  const { main: file, env } = sorted;
  if (file.size > 2 * 1024 * 1024) return notify('error', `Cannot import ${file.name}: it is over 2 MiB`);
  if (env && env.size > 256 * 1024) return notify('error', `Cannot import with ${env.name}: an env file is at most 256 KiB`);
  const r = await invoke('lab.import', { format, text: await file.text(), fileName: file.name, ...(env ? { env: { text: await env.text(), fileName: env.name } } : {}) });
  if (!r.ok) return notify('error', `Cannot import ${file.name}: ${r.error.message}`);
  const { lab, warnings, errors } = r.value;
  if (lab) {
    useEditor.getState().load(lab, null);
    useUi.getState().setView('canvas');
  }
  useUi.getState().openDialog({ kind: 'importReport', fileName: file.name, imported: lab !== null, warnings, errors });
}

export async function setTheme(theme: 'light' | 'dark'): Promise<void> {
  useUi.getState().setTheme(theme);
  const r = await invoke('settings.update', { patch: { theme } });
  if (!r.ok) notify('error', `The theme applies to this window only; it was not saved: ${r.error.message}`);
}
