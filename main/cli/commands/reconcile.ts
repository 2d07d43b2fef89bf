/**
 * `labforge reconcile` (drift: report, repair, watch; in-cluster manifests) and `labforge
 * expire` (a class's end date, set after publishing). docs/reconcile.md explains both.
 */
import { Option, type Command } from 'commander';
import type { ReconcileResult } from '../../engine/reconcile';
import { DEFAULT_IMAGE, durationArg, endDateArg } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, engine, overClassCli, zoneConnector, type ConnOpts } from '../engine-command';

async function printResult(io: CliIO, r: ReconcileResult): Promise<void> {
  const { formatDrift } = await import('../tables');
  const { formatRemaining } = await import('../../engine/expiry-time');
  const { report, repaired } = r;
  const stamp = new Date().toISOString();
  const drifted = report.students.length;
  io.stdout(`${stamp} class ${report.className}: ${report.checked} students checked, ${drifted === 0 ? 'no drift' : `${drifted} drifted`}\n`);
  if (drifted) io.stdout(`${formatDrift(report.students)}\n`);
  for (const p of report.problems) io.stdout(`${p.namespace}: not compared: ${p.error}\n`);
  for (const x of repaired) {
    io.stdout(`repaired ${x.student} (${x.namespace}):${x.applied.length ? ` re-applied ${x.applied.join(', ')}` : ''}${x.deleted.length ? ` deleted ${x.deleted.join(', ')}` : ''}${x.error ? ` FAILED: ${x.error}` : ''}\n`);
  }
  if (report.expiry.state === 'warning') io.stdout(`the class ends at ${report.expiry.expiresAt} (in ${formatRemaining(report.expiry.remainingSeconds)})\n`);
}

/** One result for a class over zones: the zones' students, problems and repairs together. */
function mergeResults(parts: ReconcileResult[]): ReconcileResult {
  const [first, ...rest] = parts as [ReconcileResult, ...ReconcileResult[]];
  if (rest.length === 0) return first;
  return {
    report: {
      ...first.report,
      checked: parts.reduce((n, p) => n + p.report.checked, 0),
      students: parts.flatMap((p) => p.report.students),
      problems: parts.flatMap((p) => p.report.problems),
    },
    repaired: parts.flatMap((p) => p.repaired),
  };
}

export const reconcileCommands: CommandModule = (program: Command, io: CliIO) => {
  const reconcile = classCommand(program, 'reconcile', 'Compare every student namespace with its release: missing, changed or extra objects, by student, object and field.')
    .option('--repair', 're-apply only what drifted and delete extras (never volumes or what students may create)')
    .option('--watch', 'keep reconciling from one class-wide watch until interrupted; tears the class down at its end date')
    .action(async (opts: ConnOpts & { class: string; repair?: boolean; watch?: boolean }) => {
      const [{ reconcile: once, watchReconcile }, { keptVolumesHelp }, { publishAgain }] = await Promise.all([import('../../engine/reconcile'), import('../../engine/expiry'), import('../tables')]);
      if (!opts.watch) {
        const r = mergeResults(await overClassCli(opts, (p) => once(p.cluster, opts.class, { repair: !!opts.repair, releases: p.releases })));
        await printResult(io, r);
        const failed = r.repaired.filter((x) => x.error).length;
        if (failed) throw new CommandFailure(`${failed} student namespaces could not be repaired; see above, then run again`);
        if (r.report.expiry.state === 'expired') io.stdout(`the class has ended; \`labforge reconcile --class ${opts.class} --watch\` tears it down\n`);
        if (r.report.students.length && !opts.repair) throw new CommandFailure(`drift in ${r.report.students.length} student namespaces; repair with \`labforge reconcile --class ${opts.class} --repair\``);
        return;
      }
      // One watch per cluster the class lives on (each zone, or the chosen cluster), until interrupted.
      const [{ readZonesRecord, zoneReleases }, connectZone] = await Promise.all([import('../../engine/zones'), zoneConnector(opts)]);
      await engine(opts, async (home) => {
        const record = await readZonesRecord(home, opts.class);
        const parts = record
          ? record.zones.map((zone) => ({ zone: zone.name, cluster: connectZone(zone), releases: zoneReleases(home, zone) }))
          : [{ zone: undefined, cluster: home, releases: undefined }];
        try {
          const watches = await Promise.all(
            parts.map((p) =>
              watchReconcile(p.cluster, opts.class, {
                repair: !!opts.repair,
                ...(p.releases ? { releases: p.releases } : {}),
                onReport: (r) => {
                  if (p.zone) io.stdout(`zone ${p.zone}: `);
                  void printResult(io, r);
                },
                onError: (err) => io.stderr(`reconcile${p.zone ? ` (zone ${p.zone})` : ''}: ${err.message} (retrying)\n`),
                onClassTime: (t) => {
                  const zone = p.zone ? ` (zone ${p.zone})` : '';
                  const stamp = new Date().toISOString();
                  for (const w of t.warned) io.stdout(`${stamp} class time${zone}: warned ${w.student}: idle, suspended at ${w.suspendAt} unless used\n`);
                  for (const r of t.suspended) io.stdout(`${stamp} class time${zone}: suspended ${r.student} (${r.suspension?.by ?? 'idle'})\n`);
                  for (const r of t.resumed) io.stdout(`${stamp} class time${zone}: resumed ${r.student} for the session${t.schedule?.current ? ` starting ${t.schedule.current.start.toISOString()}` : ''}\n`);
                  for (const e of t.errors) io.stderr(`class time${zone}: ${e}\n`);
                },
                onExpired: (x) => {
                  io.stdout(`class ${opts.class}${p.zone ? ` (zone ${p.zone})` : ''} reached its end date and was torn down at ${x.at}\n`);
                  io.stdout(x.volumes === 'delete' ? `deleted ${x.teardown?.deleted.length ?? 0} namespaces with their volumes\n` : `${keptVolumesHelp(x.keptVolumes, publishAgain(opts.class))}\n`);
                },
              }),
            ),
          );
          const interrupted = new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
          await Promise.race([Promise.all(watches.map((w) => w.done)), interrupted]);
          for (const w of watches) w.stop();
        } finally {
          for (const p of parts) if (p.cluster !== home) p.cluster.close();
        }
      });
    });

  reconcile
    .command('manifests')
    .description('Print a Deployment and least-privilege RBAC that run `reconcile --watch` for this class inside the cluster.')
    .option('--image <image>', 'the Labforge image the reconciler runs', DEFAULT_IMAGE)
    .option('--no-repair', 'report only: no write access to student namespaces')
    // --class and the connection flags are reconcile's own (commander parses them there).
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ConnOpts & { class: string; image: string; repair: boolean }>();
      const [{ reconcilerManifests }, { manifestsYaml }, { classNamespaces }] = await Promise.all([import('../../engine/reconcile-manifests'), import('../../engine/in-cluster'), import('../../engine/publish')]);
      const namespaces = await engine(opts, async (c) => (await classNamespaces(c, opts.class)).map((n) => n.metadata?.name ?? ''));
      if (namespaces.length === 0) throw new CommandFailure(`class ${opts.class} has no students; publish first (the RBAC names each student namespace)`);
      io.stdout(manifestsYaml(reconcilerManifests({ className: opts.class, namespaces, image: opts.image, repair: opts.repair })));
    });

  classCommand(program, 'expire', 'Set when a class ends (a date, a duration from now, or "never"); at that moment `reconcile --watch` tears it down.')
    .argument('<when>', 'a date (2027-01-31, 2027-01-31T18:00Z), a duration from now (90m, 12h, 30d, 2w), or never')
    .addOption(new Option('--volumes <what>', 'at the end: keep the volumes (namespaces stay holding only them) or delete them').choices(['keep', 'delete']))
    .option('--warn <duration>', 'how long before the end status warns (default 7d)', durationArg('--warn', 0, 365 * 86_400))
    .action(async (when: string, opts: ConnOpts & { class: string; volumes?: 'keep' | 'delete'; warn?: number }) => {
      const expiresAt = when === 'never' ? undefined : endDateArg('<when>')(when);
      const { setExpiry } = await import('../../engine/expiry');
      // A class over zones keeps its settings in each zone: all of them move together.
      const [s] = await overClassCli(opts, (p) => setExpiry(p.cluster, opts.class, { expiresAt, ...(opts.volumes ? { volumes: opts.volumes } : {}), ...(opts.warn !== undefined ? { warnSeconds: opts.warn } : {}) }));
      io.stdout(s!.expiresAt ? `class ${opts.class} ends at ${s!.expiresAt}; volumes are then ${s!.volumes === 'keep' ? 'kept' : 'deleted'}\n` : `class ${opts.class} has no end date\n`);
    });
};

