import { COMMANDS, tooltip } from '../lib/commands';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';

export function StatusBar() {
  const mode = useUi((s) => s.mode);
  const workspace = useUi((s) => s.workspace);
  const ctx = useUi((s) => s.kubeContext);
  const counts = useEditor((s) => `${s.doc.lab.nodes.length} nodes · ${s.doc.lab.networks.length} networks · ${s.doc.lab.volumes.length} volumes`);
  const path = useEditor((s) => s.filePath);
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span>{mode === 'electron' ? 'Desktop' : mode === 'browser' ? 'Browser mode' : '…'}</span>
      {workspace ? <span title="workspace folder">{workspace}</span> : null}
      <span className="grow" title={path ?? undefined}>{path ?? 'not saved yet'}</span>
      <span>{counts}</span>
      <button className="status-button" onClick={() => void COMMANDS.cluster.run()} title={tooltip(COMMANDS.cluster)} data-testid="status-context">
        ⎈ {ctx ?? 'kubeconfig default'}
      </button>
    </footer>
  );
}
