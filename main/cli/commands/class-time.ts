/**
 * Class time: `labforge suspend` and `labforge resume` (students' labs stop and come back, all
 * kept), and `labforge idle` (the class's idle policy, carried out by `reconcile --watch`).
 * docs/reconcile.md, "Class time", says what each keeps.
 */
import { Option, type Command } from 'commander';
import type { SuspendResult } from '../../engine/suspend';
import { durationArg, formatSeconds, studentIdsArg } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, engine, overClassCli, zoneConnector, type ConnOpts } from '../engine-command';

type SuspendOpts = ConnOpts & { class: string; student?: string[]; all?: boolean; wait?: number | boolean };

function report(io: CliIO, results: (SuspendResult & { zone?: string })[], verb: 'suspended' | 'resumed'): void {
  for (const r of results) {
    const where = `${r.student} (${r.namespace}${r.zone ? `, zone ${r.zone}` : ''})`;
    if (r.status === 'failed') io.stdout(`${where}: FAILED: ${r.error}\n`);
    else if (r.status === 'unchanged') io.stdout(verb === 'suspended' ? `${where}: already suspended${r.suspension ? ` (by ${r.suspension.by} since ${r.suspension.at})` : ''}\n` : `${where}: running, not suspended; nothing to do\n`);
    else io.stdout(`${where}: ${verb}${r.ready === false ? ', but not every node is ready yet (`labforge status` shows why)' : ''}\n`);
  }
  const failed = results.filter((r) => r.status === 'failed').length;
  if (failed) throw new CommandFailure(`${failed} of ${results.length} students failed; running the same command again finishes them`);
}

/** The students asked for: --student, or --all; a bare command asks which, rather than stopping a whole class by accident. */
function studentsOf(opts: SuspendOpts, verb: string): string[] | undefined {
  if (opts.student?.length && opts.all) throw new UsageError('give --student or --all, not both');
  if (!opts.student?.length && !opts.all) throw new UsageError(`name whom to ${verb}: --student ID (repeatable) or --all`);
  return opts.student;
}

function suspendCommand(program: Command, io: CliIO, mode: 'suspend' | 'resume'): void {
  const cmd = classCommand(
    program,
    mode,
    mode === 'suspend'
      ? "Suspend students' labs: nothing runs (workloads at zero, VMs stopped); volumes, keys, links and the namespace are kept."
      : "Resume suspended labs: each comes back to its release as it was, on the volumes it had.",
  )
    .option('--student <id>', 'a student (repeatable)', studentIdsArg('--student'))
    .option('--all', 'every student of the class');
  if (mode === 'resume') cmd.addOption(new Option('--wait [duration]', 'wait until every resumed lab is ready (default 5m)').argParser(durationArg('--wait', 1, 3600)));
  cmd.action(async (opts: SuspendOpts) => {
    const students = studentsOf(opts, mode);
    const [{ suspendOrResume }, { withClassLock }, connectZone] = await Promise.all([import('../../engine/class-verbs'), import('../../engine/class-lock'), zoneConnector(opts)]);
    const waitMs = opts.wait === undefined ? undefined : typeof opts.wait === 'number' ? opts.wait * 1000 : 300_000;
    const results = await engine(opts, (c) =>
      withClassLock(c, opts.class, mode, (signal) =>
        suspendOrResume({ home: c, connectZone }, opts.class, mode, {
          ...(students ? { students } : {}),
          signal,
          ...(waitMs !== undefined ? { waitMs } : {}),
          onProgress: ({ done, total, result }) => io.stderr(`[${done}/${total}] ${result.student} ${result.status}\n`),
        }),
      ),
    );
    report(io, results, mode === 'suspend' ? 'suspended' : 'resumed');
  });
}

export const classTimeCommands: CommandModule = (program, io) => {
  suspendCommand(program, io, 'suspend');
  suspendCommand(program, io, 'resume');

  classCommand(program, 'idle', "Set the class's idle policy: labs unused for AFTER are suspended, the student warned WARN before; `reconcile --watch` carries it out.")
    .argument('<after>', 'a duration (90m, 2h) or "off"', (v: string) => (v === 'off' ? 'off' : durationArg('<after>', 60, 30 * 86_400)(v)))
    .option('--warn <duration>', 'warn the student this long before (default 10m; 0s: no warning)', durationArg('--warn', 0, 86_400))
    .action(async (after: number | 'off', opts: ConnOpts & { class: string; warn?: number }) => {
      let idle: { afterSeconds: number; warnSeconds: number } | undefined;
      if (after !== 'off') {
        const afterSeconds = after;
        const warnSeconds = opts.warn ?? Math.min(600, Math.floor(afterSeconds / 2));
        if (warnSeconds >= afterSeconds) throw new UsageError(`--warn (${warnSeconds}s) must be shorter than <after> (${afterSeconds}s)`);
        idle = { afterSeconds, warnSeconds };
      } else if (opts.warn !== undefined) throw new UsageError('--warn goes with a duration, not "off"');
      const { setIdlePolicy } = await import('../../engine/class-time');
      // A class over zones keeps its settings in each zone: all of them move together.
      await overClassCli(opts, (p) => setIdlePolicy(p.cluster, opts.class, idle));
      io.stdout(idle ? `class ${opts.class}: labs idle for ${formatSeconds(idle.afterSeconds)} are suspended, the student warned ${formatSeconds(idle.warnSeconds)} before (while \`labforge reconcile --watch --class ${opts.class}\` runs)\n` : `class ${opts.class}: labs are never suspended for idleness\n`);
    });
};
