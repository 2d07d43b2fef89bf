/**
 * The class view's health: end date, drift, web links; repairing drift and moving the end date.
 * Thin calls into the engine `labforge status`, `reconcile --repair` and `expire` use.
 */
import { scheduleText, scheduleWindow, type ClassSchedule } from '../../engine/class-schedule';
import { keptVolumesHelp, setExpiry } from '../../engine/expiry';
import { parseEndDate } from '../../engine/expiry-time';
import { reconcile } from '../../engine/reconcile';
import { classHealth } from '../../engine/reconcile-status';
import { overClass } from '../../engine/zones';
import { sharedZoneConnector, type ClusterProvider } from '../clusters';
import { ApiFailure, type Handler } from '../dispatch';
import type { WireClassHealth } from '../../../common/api/reconcile-schemas';
import { engine } from './engine-call';

/** Values of drifted fields as short text (they may be any JSON). */
const text = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v).slice(0, 200));

/** The schedule as the class view shows it: its entries in words and where `now` falls in it. */
export function wireSchedule(s: ClassSchedule, now: Date): NonNullable<WireClassHealth['schedule']> {
  const w = scheduleWindow(s, now);
  return {
    timezone: s.timezone,
    warmSeconds: s.warmSeconds,
    text: scheduleText(s.entries),
    ...(w.current ? { current: { start: w.current.start.toISOString(), end: w.current.end.toISOString(), warming: w.current.warming } } : {}),
    ...(w.next ? { next: { start: w.next.start.toISOString(), end: w.next.end.toISOString() } } : {}),
  };
}

export function reconcileHandlers(deps: { clusters: ClusterProvider }) {
  const zones = sharedZoneConnector(deps.clusters);
  const health: Handler<'class.health'> = async ({ context, className }) =>
    engine(async () => {
      // A class over zones keeps its settings (end date) in every zone alike: the first zone's stand for all.
      const parts = await overClass(await deps.clusters.get(context), className, zones, (p) => classHealth(p.cluster, className, p.releases));
      const h = { ...parts[0]!, drift: parts.flatMap((p) => p.drift), links: parts.flatMap((p) => p.links) };
      const wire: WireClassHealth = {
        expiry: h.expiry,
        ...(h.ended ? { ended: { ...h.ended, help: keptVolumesHelp(h.ended.keptVolumes) } } : {}),
        drift: h.drift.map((s) => ({
          student: s.student,
          namespace: s.namespace,
          objects: s.objects.map((o) => ({ kind: o.kind, name: o.name, problem: o.problem, fields: o.fields.map((f) => ({ path: f.path, want: text(f.want), have: text(f.have), by: f.by })) })),
        })),
        links: h.links,
        idle: h.idle ?? null,
        schedule: h.schedule ? wireSchedule(h.schedule, new Date()) : null,
      };
      return wire;
    });
  const repair: Handler<'class.repair'> = async ({ context, className }) =>
    engine(async () => {
      const parts = await overClass(await deps.clusters.get(context), className, zones, async (p) => (await reconcile(p.cluster, className, { repair: true, releases: p.releases })).repaired);
      return { repaired: parts.flat().map((r) => ({ ...r, ...(r.error ? { error: r.error } : {}) })) };
    });
  const expire: Handler<'class.expire'> = async ({ context, className, expiresAt, volumes }) =>
    engine(async () => {
      let at: string | undefined;
      try {
        at = expiresAt === null ? undefined : parseEndDate(expiresAt);
      } catch (err) {
        throw new ApiFailure('invalid_request', `expiresAt: ${(err as Error).message}`);
      }
      const [s] = await overClass(await deps.clusters.get(context), className, zones, (p) => setExpiry(p.cluster, className, { expiresAt: at, ...(volumes ? { volumes } : {}) }));
      return { ...(s!.expiresAt ? { expiresAt: s!.expiresAt } : {}), volumes: s!.volumes };
    });
  return { 'class.health': health, 'class.repair': repair, 'class.expire': expire };
}
