/**
 * `labforge check --class C [--student S] [--check ID] [--watch SECONDS]`: runs the lab's
 * checks in the students' namespaces, records the results in the cluster and prints a
 * students × checks grid; `labforge grades --class C [-o FILE]`: the recorded results as CSV,
 * without running anything. The engine, the exec streams and the Kubernetes client load inside
 * the actions (see ./index.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dnsLabelArg, outputFileArg, positiveInt, studentIdArg } from '../args';
import { CommandFailure } from '../errors';
import type { CliIO, CommandModule } from '../program';
import type { ClassPart } from '../../engine/zones';
import { classCommand, overClassCli, type ConnOpts } from '../engine-command';

interface GradesOpts extends ConnOpts {
  class: string;
  student?: string;
  output?: string;
}

interface CheckOpts extends ConnOpts {
  class: string;
  student?: string;
  check?: string;
  watch?: number;
  concurrency?: number;
}

export const checkCommands: CommandModule = (program: Command, io: CliIO) => {
  classCommand(program, 'check', "Run the lab's checks in each student's namespace, record the results in the cluster and print a students × checks grid.")
    .option('--student <id>', 'only this student', studentIdArg('--student'))
    .option('--check <id>', 'only this check', dnsLabelArg('--check'))
    .option('--watch <seconds>', 'run again every SECONDS until interrupted', positiveInt('--watch', 86_400))
    .option('--concurrency <n>', 'students checked at once (default 8)', positiveInt('--concurrency', 256))
    .addHelpText('after', '\nA check passes when its script exits 0. Failing checks are listed under the grid with their FAIL: line and hint.\n\nExamples:\n  labforge check --class net101\n  labforge check --class net101 --student alice --check web-serves --watch 30')
    .action(async (opts: CheckOpts) => {
      const [{ runClassChecks }, { formatCheckGrid }, { streamingExec }, { loadKubeConfig }] = await Promise.all([
        import('../../engine/checks'),
        import('../tables'),
        import('../../streams/exec-stream'),
        import('../../kube/kubeconfig'),
      ]);
      // The exec runs where the students are: the chosen context, or each zone's own kubeconfig and context.
      const execFor = (zone: ClassPart['zone']) => {
        const kubeconfig = zone?.kubeconfig ?? opts.kubeconfig;
        const context = zone ? zone.context : opts.context;
        return streamingExec(loadKubeConfig({ ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) }));
      };
      const once = async () =>
        (
          await overClassCli(
            opts,
            (p) =>
              runClassChecks(p.cluster, {
                className: opts.class,
                exec: execFor(p.zone),
                releases: p.releases,
                ...(opts.student !== undefined ? { student: opts.student } : {}),
                ...(opts.check !== undefined ? { check: opts.check } : {}),
                ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
              }),
            opts.student !== undefined ? { student: opts.student } : undefined,
          )
        )
          .flat()
          .sort((a, b) => a.student.localeCompare(b.student));
      if (opts.watch === undefined) {
        const students = await once();
        io.stdout(formatCheckGrid(students));
        const unrecorded = students.filter((s) => s.recordError);
        if (unrecorded.length) throw new CommandFailure(`the results of ${unrecorded.length} student(s) could not be recorded; run the check again`);
        return;
      }
      const interval = opts.watch * 1000;
      let stopped = false;
      let wake: (() => void) | undefined;
      const onSigint = () => {
        stopped = true;
        wake?.();
      };
      process.once('SIGINT', onSigint);
      try {
        while (!stopped) {
          const students = await once();
          const stamp = `checked at ${new Date().toISOString()}; again in ${opts.watch} s (Ctrl-C stops)`;
          io.stdout(process.stdout.isTTY ? `\x1b[2J\x1b[H${formatCheckGrid(students)}\n${stamp}\n` : `${formatCheckGrid(students)}\n${stamp}\n\n`);
          await new Promise<void>((resolve) => {
            // Ctrl-C ends the wait at once, and clears the timer so it does not hold the exit.
            const timer = setTimeout(resolve, interval);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });

  // A separate verb, not `check --csv`: `check` runs the checks, and exporting grades must not
  // (a run at export time would grade students on the state of their lab at that moment).
  classCommand(program, 'grades', 'Print the recorded check results of a class as CSV, one row per student and check (no checks are run).')
    .option('--student <id>', 'only this student', studentIdArg('--student'))
    .option('-o, --output <file>', 'write to FILE (created with mode 0644) instead of stdout', outputFileArg('--output'))
    .addHelpText(
      'after',
      "\nColumns: student,check,passed,points,time,status,max_points,title\n  passed  whether the check's latest run passed (points are earned only then)\n  time    when it first passed (ISO 8601 UTC), else when it last ran; empty if never run\nA cell starting with = + - @ gets a leading ' so spreadsheets do not run it as a formula.\n\nExamples:\n  labforge grades --class net101 -o net101-grades.csv\n  labforge grades --class net101 --student alice",
    )
    .action(async (opts: GradesOpts) => {
      const [{ classCheckResults }, { gradesCsv }] = await Promise.all([import('../../engine/checks'), import('../../../common/export/grades-csv')]);
      const only = opts.student !== undefined ? { student: opts.student } : undefined;
      const students = (await overClassCli(opts, (p) => classCheckResults(p.cluster, opts.class, opts.student, p.releases), only)).flat();
      const csv = gradesCsv(students);
      if (opts.output === undefined) {
        io.stdout(csv);
        return;
      }
      try {
        writeFileSync(opts.output, csv, { mode: 0o644 });
      } catch (err) {
        throw new CommandFailure(`cannot write ${opts.output}: ${err instanceof Error ? err.message : String(err)}`);
      }
      io.stderr(`wrote ${opts.output}: ${students.reduce((n, s) => n + s.checks.length, 0)} row(s) for ${students.length} student(s)\n`);
    });
};
