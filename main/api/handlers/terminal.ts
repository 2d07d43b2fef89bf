import { TerminalError, type TerminalService } from '../../streams';
import type { ApiDeps } from '../deps';
import { ApiFailure, type Handler } from '../dispatch';

/** The context a terminal uses: the request's, else the one picked in settings, else the kubeconfig's. */
export async function contextFor(deps: ApiDeps, requested: string | null): Promise<string | undefined> {
  return requested ?? (await deps.settings.get()).kubeContext ?? undefined;
}

/** Terminal errors keep their codes ('forbidden', 'not_ready', 'exited', ...) on the wire. */
export async function asApi<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof TerminalError) throw new ApiFailure(err.code, err.message);
    throw err;
  }
}

export const terminalContainers = (deps: ApiDeps, terminals: TerminalService): Handler<'terminal.containers'> => async ({ context, namespace, node, pod }) =>
  asApi(async () => terminals.containers({ context: await contextFor(deps, context), namespace, node, pod }));

export const terminalOpen = (deps: ApiDeps, terminals: TerminalService): Handler<'terminal.open'> => async ({ context, ...request }) =>
  asApi(async () => {
    const s = await terminals.open({ ...request, context: await contextFor(deps, context) });
    return { sessionId: s.sessionId, namespace: s.namespace, pod: s.pod, container: s.container, containers: s.containers, window: s.window, connect: s.connect };
  });
