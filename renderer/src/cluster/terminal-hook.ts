/**
 * How the class view and the canvas open a terminal pane without importing the panes module:
 * the dock registers its opener here when it mounts. Null until then (the buttons say so).
 */
export interface TerminalTarget {
  namespace: string;
  node: string;
  container?: string;
  title: string;
}

export const openTerminalHook: { current: ((t: TerminalTarget) => void) | null } = { current: null };
