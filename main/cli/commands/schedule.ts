/**
 * `labforge schedule`: when a class meets (issue 31, "Class time"). Shows the class's schedule
 * with the session now and the next ones, or stores a new one (`--set`) or none (`--clear`) in
 * the class settings, where the controller that resumes and suspends labs reads it.
 * docs/reconcile.md, "Schedules", describes the format.
 */
import { Option, type Command } from 'commander';
import { durationArg, timezoneArg } from '../args';
import { UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, overClassCli, type ConnOpts } from '../engine-command';

/** The longest warm-up (class-schedule.ts's MAX_WARM_SECONDS; not imported: it loads zod and yaml). */
const MAX_WARM = 86_400;

/** `--schedule`'s and `--set`'s companions, shared with publish. */
export const scheduleOptions = (cmd: Command, what: string): Command =>
  cmd
    .option('--timezone <zone>', `the IANA time zone of the ${what}'s times (default: the file's, else this machine's)`, timezoneArg('--timezone'))
    .option('--warm <duration>', `resume labs this long before each session, 0 to 1d (default: the file's, else 15m)`, durationArg('--warm', 0, MAX_WARM));

export const scheduleCommands: CommandModule = (program: Command, io: CliIO) => {
  scheduleOptions(
    classCommand(program, 'schedule', "Show when a class meets (the session now and the next ones, on the class's clock), or set or clear it.")
      .addOption(new Option('--set <text|file.yaml>', 'store this schedule: "Mon,Wed 09:00-11:00; 2026-12-14 14:00-16:00" or a YAML file').conflicts('clear'))
      .option('--clear', 'remove the schedule: labs are no longer resumed or suspended by time'),
    'schedule',
  ).action(async (opts: ConnOpts & { class: string; set?: string; clear?: boolean; timezone?: string; warm?: number }) => {
    if (!opts.set && (opts.timezone !== undefined || opts.warm !== undefined)) throw new UsageError('--timezone and --warm go with --set (they are part of the schedule set)');
    const [{ readScheduleArg }, { readClassSettings, updateClassSettings }, { scheduleReport }] = await Promise.all([import('../schedule-input'), import('../../engine/reconcile-settings'), import('../schedule-report')]);
    // Checked before connecting: a wrong schedule never reaches the cluster.
    const schedule = opts.set ? await readScheduleArg(opts.set, { ...(opts.timezone ? { timezone: opts.timezone } : {}), ...(opts.warm !== undefined ? { warm: opts.warm } : {}) }, '--set') : undefined;
    if (opts.set || opts.clear) {
      // A class over zones keeps its settings in each zone: all of them change together.
      await overClassCli(opts, (p) =>
        updateClassSettings(p.cluster, opts.class, (s) => {
          const { schedule: _old, ...rest } = s;
          return schedule ? { ...rest, schedule } : rest;
        }),
      );
    }
    if (opts.clear) {
      io.stdout(`class ${opts.class} has no schedule now; its labs are no longer resumed or suspended by time\n`);
      return;
    }
    const [settings] = schedule ? [{ schedule }] : await overClassCli(opts, (p) => readClassSettings(p.cluster, opts.class));
    if (!settings?.schedule) {
      io.stdout(`class ${opts.class} has no schedule; set one with \`labforge schedule --class ${opts.class} --set "Mon,Wed 09:00-11:00"\`\n`);
      return;
    }
    io.stdout(`${scheduleReport(opts.class, settings.schedule, new Date())}\n`);
  });
};
