/** Which class-story dialog is open; kept apart from the editor's dialogs so each owns its state. */
import { create } from 'zustand';

export type ClusterDialog = { kind: 'snapshot' } | { kind: 'publish'; tag?: string; className?: string; /** Upgrade: how many students the class has now (the default roster). */ current?: number } | { kind: 'teardown'; className: string } | null;

export const useClusterDialog = create<{ dialog: ClusterDialog }>()(() => ({ dialog: null }));

export const openClusterDialog = (dialog: ClusterDialog) => useClusterDialog.setState({ dialog });
export const closeClusterDialog = () => useClusterDialog.setState({ dialog: null });
