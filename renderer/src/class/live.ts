/**
 * Keeps the cluster side in step with the editor: watches dev for the open lab, and recomputes
 * which nodes changed since the last deploy when either side changes (once per change, not
 * once per node).
 */
import { useEffect } from 'react';
import { changedNodes } from '../../../common/lab/diff';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { watchDev } from './actions';
import { useCluster } from './store';

export function useClusterSync(): void {
  const labName = useEditor((s) => s.doc.lab.metadata.name);
  const lab = useEditor((s) => s.doc.lab);
  const deployed = useCluster((s) => s.dev.deployed);
  const context = useUi((s) => s.kubeContext);
  const mode = useUi((s) => s.mode);

  useEffect(() => {
    // Wait for app.info so the first watch uses the settings' context, not the default.
    if (mode && labName) watchDev(labName);
  }, [labName, context, mode]);

  useEffect(() => {
    const changed: Record<string, true> = {};
    if (deployed) for (const n of changedNodes(deployed, lab)) changed[n] = true;
    useCluster.setState({ changed });
  }, [lab, deployed]);
}
