import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { invoke } from './api/client';
import { Canvas } from './canvas/Canvas';
import { Dialogs } from './components/Dialogs';
import { Menus } from './components/Menus';
import { Notices } from './components/Notices';
import { StatusBar } from './components/StatusBar';
import { baseName } from './lib/actions';
import { COMMANDS, handleKeyDown, tooltip } from './lib/commands';
import { isDirty, useEditor } from './store/editor';
import { useUi, type View } from './store/ui';
import { useValidation } from './lib/validation';
import { Palette } from './components/Palette';
import { Inspector } from './components/inspector/Inspector';
import { Problems } from './components/Problems';
import { CompiledView, YamlView } from './components/YamlViews';
import { Panes } from './panes/Panes';
import { ClassView } from './class/ClassView';
import { ClusterBar } from './class/ClusterBar';
import { ClusterDialogs } from './class/ClusterDialogs';
import { useClusterSync } from './class/live';
import { ReleasesView } from './class/ReleasesView';

const VIEWS: { id: View; label: string; cmd: keyof typeof COMMANDS }[] = [
  { id: 'canvas', label: 'Canvas', cmd: 'viewCanvas' },
  { id: 'yaml', label: 'Lab YAML', cmd: 'viewYaml' },
  { id: 'compiled', label: 'Compiled', cmd: 'viewCompiled' },
  { id: 'releases', label: 'Releases', cmd: 'viewReleases' },
  { id: 'class', label: 'Class', cmd: 'viewClass' },
];

function Title() {
  const name = useEditor((s) => s.doc.lab.metadata.name);
  const path = useEditor((s) => s.filePath);
  const dirty = useEditor(isDirty);
  return (
    <div className="title" data-testid="title">
      <span className="title-name">{path ? baseName(path) : 'Untitled lab'}</span>
      {dirty ? <span className="dirty-dot" title="Unsaved changes" data-testid="dirty" /> : null}
      <span className="title-lab muted">{name}</span>
    </div>
  );
}

/** The first calls: where the app runs and the saved settings. Without them the app still works, so say what is missing. */
async function loadAppState() {
  const notify = useUi.getState().notify;
  const [info, settings] = await Promise.all([invoke('app.info', {}), invoke('settings.get', {})]);
  if (info.ok) useUi.setState({ mode: info.value.mode, workspace: info.value.workspace });
  else notify('error', `Cannot tell where Labforge runs (saving may ask for a file name): ${info.error.message}`);
  if (settings.ok) useUi.setState({ theme: settings.value.theme, recent: settings.value.recent, kubeContext: settings.value.kubeContext });
  else notify('error', `Cannot read your settings; using the defaults: ${settings.error.message}`);
}

export function App() {
  const view = useUi((s) => s.view);
  const theme = useUi((s) => s.theme);
  useValidation();
  useClusterSync();

  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);

  useEffect(() => {
    void loadAppState();
    const onKey = (e: KeyboardEvent) => handleKeyDown(e);
    // Closing the tab or window with unsaved changes asks first (Electron shows a native dialog).
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (isDirty(useEditor.getState())) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, []);

  return (
    <ReactFlowProvider>
      <div className="app">
        <header className="topbar">
          <div className="brand" aria-label="Labforge">
            <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
              <rect x="2" y="2" width="20" height="20" rx="6" fill="var(--accent)" />
              <path d="M7 16.5V7.5M7 16.5h5M14.5 8.5h3M14.5 12h2.5M14.5 8.5v8" stroke="#fff" strokeWidth="2" strokeLinecap="round" fill="none" />
            </svg>
          </div>
          <Menus />
          <Title />
          <nav className="view-tabs" role="tablist">
            {VIEWS.map((v) => (
              <button key={v.id} role="tab" aria-selected={view === v.id} className={`tab${view === v.id ? ' active' : ''}`} data-testid={`view-${v.id}`} title={tooltip(COMMANDS[v.cmd])} onClick={() => useUi.getState().setView(v.id)}>
                {v.label}
              </button>
            ))}
          </nav>
          <ClusterBar />
          <button className="icon-button" title={tooltip(COMMANDS.theme)} data-testid="theme-toggle" onClick={() => void COMMANDS.theme.run()}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
        </header>
        <main className="workspace">
          {view === 'canvas' ? <Palette /> : null}
          <section className="center">
            <div className="center-main">
              {view === 'canvas' ? <Canvas /> : view === 'yaml' ? <YamlView /> : view === 'compiled' ? <CompiledView /> : view === 'releases' ? <ReleasesView /> : <ClassView />}
            </div>
            <Problems />
          </section>
          {view === 'canvas' ? <Inspector /> : null}
        </main>
        <Panes />
        <StatusBar />
      </div>
      <Dialogs />
      <ClusterDialogs />
      <Notices />
    </ReactFlowProvider>
  );
}
