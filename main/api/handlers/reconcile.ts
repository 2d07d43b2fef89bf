/**
 * The class view's health: end date, drift, web links; repairing drift and moving the end date.
 * Thin calls into the engine `labforge status`, `reconcile --repair` and `expire` use.
 */
import { keptVolumesHelp, setExpiry } from '../../engine/expiry';
import { parseEndDate } from '../../engine/expiry-time';
import { reconcile } from '../../engine/reconcile';
import { classHealth } from '../../engine/reconcile-status';
import type { ClusterProvider } from '../clusters';
import { ApiFailure, type Handler } from '../dispatch';
import type { WireClassHealth } from '../reconcile-schemas';
import { engine } from './engine-call';

/** Values of drifted fields as short text (they may be any JSON). */
const text = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v).slice(0, 200));

export function reconcileHandlers(deps: { clusters: ClusterProvider }) {
  const health: Handler<'class.health'> = async ({ context, className }) =>
    engine(async () => {
      const h = await classHealth(await deps.clusters.get(context), className);
      const wire: WireClassHealth = {
        expiry: h.expiry,
        ...(h.ended ? { ended: { ...h.ended, help: keptVolumesHelp(className, h.ended.keptVolumes) } } : {}),
        drift: h.drift.map((s) => ({
          student: s.student,
          namespace: s.namespace,
          objects: s.objects.map((o) => ({ kind: o.kind, name: o.name, problem: o.problem, fields: o.fields.map((f) => ({ path: f.path, want: text(f.want), have: text(f.have), by: f.by })) })),
        })),
        links: h.links,
      };
      return wire;
    });
  const repair: Handler<'class.repair'> = async ({ context, className }) =>
    engine(async () => ({ repaired: (await reconcile(await deps.clusters.get(context), className, { repair: true })).repaired.map((r) => ({ ...r, ...(r.error ? { error: r.error } : {}) })) }));
  const expire: Handler<'class.expire'> = async ({ context, className, expiresAt, volumes }) =>
    engine(async () => {
      let at: string | undefined;
      try {
        at = expiresAt === null ? undefined : parseEndDate(expiresAt);
      } catch (err) {
        throw new ApiFailure('invalid_request', `expiresAt: ${(err as Error).message}`);
      }
      const s = await setExpiry(await deps.clusters.get(context), className, { expiresAt: at, ...(volumes ? { volumes } : {}) });
      return { ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}), volumes: s.volumes };
    });
  return { 'class.health': health, 'class.repair': repair, 'class.expire': expire };
}
