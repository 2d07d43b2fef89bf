import { zoneOfNamespace } from '../../engine/zones';
import { TerminalError, type KubeWhere, type TerminalService } from '../../streams';
import type { ApiDeps } from '../deps';
import { ApiFailure, type Handler } from '../dispatch';

/** The context a terminal uses: the request's, else the one picked in settings, else the kubeconfig's. */
async function contextFor(deps: ApiDeps, requested: string | null): Promise<string | undefined> {
  return requested ?? (await deps.settings.get()).kubeContext ?? undefined;
}

/**
 * Where a pane's namespace is: the chosen context's cluster, or, for a student of a zoned class,
 * the zone the class's record (on that cluster) places them in. A record that cannot be read
 * leaves the pane on the chosen context, where opening it then reports the real problem.
 */
export async function whereIs(deps: ApiDeps, requested: string | null, namespace: string): Promise<KubeWhere> {
  const context = await contextFor(deps, requested);
  const zone = await deps.clusters
    .get(requested)
    .then((home) => zoneOfNamespace(home, namespace))
    .catch(() => undefined);
  if (!zone) return { context };
  return { context: zone.context, kubeconfig: zone.kubeconfig };
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
  asApi(async () => terminals.containers({ ...(await whereIs(deps, context, namespace)), namespace, node, pod }));

export const terminalOpen = (deps: ApiDeps, terminals: TerminalService): Handler<'terminal.open'> => async ({ context, ...request }) =>
  asApi(async () => {
    const s = await terminals.open({ ...request, ...(await whereIs(deps, context, request.namespace)) });
    return { sessionId: s.sessionId, namespace: s.namespace, pod: s.pod, container: s.container, containers: s.containers, window: s.window, connect: s.connect };
  });
