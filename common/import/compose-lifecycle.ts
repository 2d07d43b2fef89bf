/**
 * Services meant to run once (`restart: "no"` or `on-failure`, or waited for with
 * `condition: service_completed_successfully`). A lab has no one-shot node: every container node
 * is a Deployment or StatefulSet, whose container Kubernetes starts again whenever it exits.
 * Rather than drop these services, the import keeps them as nodes and says, at their line,
 * exactly what will happen and how to adapt them.
 */
import type { Path } from './compose-fields';
import type { YamlSource } from './source';

const COMPLETED = 'service_completed_successfully';

/** What every one-shot warning says Labforge does, so the instructor can adapt the service. */
const WHAT_HAPPENS =
  'it becomes a node like any other: a Deployment whose container Kubernetes starts again each time it exits, ' +
  'with growing delays (the node shows CrashLoopBackOff), and no node waits for it. ' +
  'For a one-time task, keep the container alive after it (e.g. command: ["sh", "-c", "<task> && sleep infinity"]) ' +
  'or run the task from the `setup` script of the node that needs it';

/** Services some other service waits on to complete, with where that wait is written. */
export function awaitedServices(src: YamlSource): Map<string, { by: string; at: Path }[]> {
  const out = new Map<string, { by: string; at: Path }[]>();
  for (const service of src.keys(['services'])) {
    const deps: Path = ['services', service, 'depends_on'];
    for (const dep of src.keys(deps)) {
      if (src.value([...deps, dep, 'condition']) !== COMPLETED) continue;
      out.set(dep, [...(out.get(dep) ?? []), { by: service, at: [...deps, dep, 'condition'] }]);
    }
  }
  return out;
}

/**
 * Warns about one service's lifecycle; returns true when it handled `restart` (so the generic
 * "Kubernetes restarts containers itself" note is not added as well).
 */
export function lifecycleWarnings(src: YamlSource, service: string, awaited: Map<string, { by: string; at: Path }[]>): boolean {
  const base: Path = ['services', service];
  const restart = src.value([...base, 'restart']);
  const policy = restart === false ? 'no' : typeof restart === 'string' ? restart : undefined;
  const waiters = awaited.get(service) ?? [];
  for (const w of waiters) {
    src.warn(w.at, `service "${w.by}" waits for "${service}" to complete; in a lab every node starts at once and "${service}" never completes for good (see its warning), so "${w.by}" must retry until what "${service}" prepares is there`);
  }
  if (policy === 'no' || policy?.startsWith('on-failure')) {
    const once = policy === 'no' ? 'compose runs it once' : 'compose runs it until it succeeds';
    src.warn([...base, 'restart'], `service "${service}" has restart: "${policy}", so ${once}; ${WHAT_HAPPENS}`);
    return true;
  }
  if (waiters.length > 0) src.warn(base, `service "${service}" runs once in compose (others wait for it to complete); ${WHAT_HAPPENS}`);
  return false;
}
