/** Viewport actions, bound by the app once React Flow is ready (no-ops before that). */
export const viewport = { fit: () => undefined as void, zoomIn: () => undefined as void, zoomOut: () => undefined as void };
