/**
 * The engine commands: deploy, snapshot, releases, diff, publish and class operations.
 * They share --kubeconfig/--context and turn cluster errors into one line with a next step.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { Lab } from '../../../common/lab';
import type { Cluster } from '../../kube/cluster';
import { KubeError } from '../../kube/errors';
import { connect } from '../../kube/http-cluster';
import { isDnsLabel } from '../../../common/lab/dns-label';
import { classStatus, formatRows, reset, studentCredentials, table, teardown, watchClass } from '../../engine/class-ops';
import { deploy } from '../../engine/deploy';
import type { NodeStatus } from '../../engine/node-status';
import { DEFAULT_CONCURRENCY, publish, type StudentResult } from '../../engine/publish';
import { diffLabs, formatChange, getRelease, listReleases, snapshot } from '../../engine/releases';
import { CommandFailure, UsageError } from '../errors';
import { cliMessage } from '../hints';
import type { CliIO, CommandModule } from '../program';
import { dnsLabelArg, positiveInt, readLabFile, studentsFrom } from './lab';

export interface ConnOpts {
  kubeconfig?: string;
  context?: string;
}

export function withConnection(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)');
}

/** A command that acts on one class: connection options plus the required --class. */
export function classCommand(program: Command, name: string, description: string): Command {
  return withConnection(program.command(name).description(description).requiredOption('--class <name>', 'class name (DNS-1123 label)', dnsLabelArg('--class', 30)));
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Runs an engine action and maps KubeErrors to a failure with the CLI's next step (exit 1). */
export async function engine<T>(opts: ConnOpts, fn: (cluster: Cluster) => Promise<T>): Promise<T> {
  let cluster: Cluster | undefined;
  try {
    cluster = connect(opts);
    return await fn(cluster);
  } catch (err) {
    if (err instanceof KubeError) throw new CommandFailure(cliMessage(err));
    throw err;
  } finally {
    cluster?.close();
  }
}

/** `<lab>` may be a lab file or a lab name. */
export function labArg(value: string): { file?: Lab; name: string } {
  if (existsSync(value)) {
    const lab = readLabFile(value);
    return { file: lab, name: lab.metadata.name };
  }
  if (!isDnsLabel(value)) throw new UsageError(`"${value}" is neither a lab file nor a lab name`);
  return { name: value };
}

function statusLines(statuses: NodeStatus[]): string {
  return table([
    ['NODE', 'KIND', 'READY', 'RESTARTS', 'MESSAGE'],
    ...statuses.map((s) => [s.node, s.kind, s.ready ? `yes (${s.detail})` : `no (${s.state}: ${s.reason ?? s.detail})`, String(s.restarts), s.message ?? '']),
  ]);
}

function parseDuration(value: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(value);
  if (!m) throw new UsageError(`"${value}" is not a duration such as 90s, 10m, 24h or 7d`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

export const engineCommands: CommandModule = (program: Command, io: CliIO) => {
  withConnection(
    program
      .command('deploy')
      .description("Apply a lab to the instructor's dev namespace (server-side apply; prunes what the lab dropped; waits for the nodes).")
      .argument('<lab>', 'lab file')
      .option('--namespace <ns>', 'dev namespace (default: <lab>-dev)', dnsLabelArg('--namespace'))
      .option('--timeout <duration>', 'how long to wait for readiness', '5m')
      .option('--no-wait', 'return once applied, without waiting for readiness')
      .option('--prune-volumes', 'also delete volumes the lab no longer has (their data is lost)'),
  ).action(async (file: string, opts: ConnOpts & { namespace?: string; timeout: string; wait: boolean; pruneVolumes?: boolean }) => {
    const lab = readLabFile(file);
    const timeoutMs = parseDuration(opts.timeout) * 1000;
    const r = await engine(opts, (c) => deploy(c, lab, { ...(opts.namespace ? { namespace: opts.namespace } : {}), wait: opts.wait, timeoutMs, pruneVolumes: !!opts.pruneVolumes }));
    io.stdout(`applied ${r.applied} objects to ${r.namespace}\n`);
    if (r.pruned.deleted.length) io.stdout(`pruned: ${r.pruned.deleted.join(', ')}\n`);
    if (r.pruned.keptVolumes.length) io.stdout(`kept volumes no longer in the lab: ${r.pruned.keptVolumes.join(', ')} (delete with --prune-volumes)\n`);
    if (opts.wait) {
      io.stdout(`${statusLines(r.statuses)}\n`);
      if (!r.ready) throw new CommandFailure(`not every node became ready within ${opts.timeout}; see the table above, then \`kubectl -n ${r.namespace} describe pod\``);
      io.stdout('all nodes ready\n');
    }
  });

  withConnection(
    program
      .command('snapshot')
      .description('Freeze what runs in dev into an immutable release (images pinned to digests).')
      .argument('<lab>', 'lab file or lab name')
      .requiredOption('--tag <tag>', 'release tag (DNS-1123 label, e.g. v1)', dnsLabelArg('--tag', 40))
      .option('--namespace <ns>', 'dev namespace (default: <lab>-dev)', dnsLabelArg('--namespace'))
      .option('--force', 'snapshot even if dev is unhealthy or differs from the file'),
  ).action(async (labRef: string, opts: ConnOpts & { tag: string; namespace?: string; force?: boolean }) => {
    const lab = labArg(labRef);
    const r = await engine(opts, (c) =>
      snapshot(c, opts.tag, { ...(lab.file ? { fileLab: lab.file } : { labName: lab.name }), ...(opts.namespace ? { namespace: opts.namespace } : {}), force: !!opts.force }),
    );
    io.stdout(`release ${r.labName}@${r.tag} created by ${r.author} at ${r.createdAt}\n`);
    io.stdout(`${table([['NODE', 'IMAGE', 'PINNED'], ...r.images.map((i) => [i.node, i.image, i.pinned ?? '(no digest reported)'])])}\n`);
  });

  withConnection(
    program
      .command('releases')
      .description('List the releases stored in the cluster.')
      .option('--lab <name>', 'only this lab', dnsLabelArg('--lab')),
  ).action(async (opts: ConnOpts & { lab?: string }) => {
    const list = await engine(opts, (c) => listReleases(c, opts.lab));
    if (list.length === 0) {
      io.stdout('no releases yet; create one with `labforge snapshot <lab> --tag v1`\n');
      return;
    }
    io.stdout(`${table([['LAB', 'TAG', 'CREATED', 'AUTHOR', 'NODES', 'PINNED'], ...list.map((r) => [r.labName, r.tag, r.createdAt, r.author, String(r.lab.nodes.length), `${r.images.filter((i) => i.pinned).length}/${r.images.length}`])])}\n`);
  });

  withConnection(
    program
      .command('diff')
      .description('Show what changed between two releases of a lab.')
      .argument('<from>', 'tag, or lab@tag')
      .argument('<to>', 'tag, or lab@tag')
      .option('--lab <name>', 'the lab, when the tags do not say it', dnsLabelArg('--lab')),
  ).action(async (from: string, to: string, opts: ConnOpts & { lab?: string }) => {
    const ref = (s: string) => {
      const [a, b] = s.includes('@') ? s.split('@') : [opts.lab, s];
      if (!a) throw new UsageError(`name the lab: ${s} → <lab>@${s}, or pass --lab`);
      return { lab: a, tag: b! };
    };
    const [x, y] = [ref(from), ref(to)];
    const changes = await engine(opts, async (c) => diffLabs((await getRelease(c, x.lab, x.tag)).lab, (await getRelease(c, y.lab, y.tag)).lab));
    io.stdout(changes.length ? `${changes.map(formatChange).join('\n')}\n` : 'no changes\n');
  });

  classCommand(program, 'publish', 'Publish a release to one isolated namespace per student (resumable; upgrades in place).')
    .argument('<lab@tag>', 'lab file or name, @ release tag')
    .option('--students <n>', 'N anonymous students student-01..N', positiveInt('--students'))
    .option('--roster <file.csv>', 'CSV with columns id,name,email[,ssh_key]')
    .option('--student <id>', 'a student id (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--concurrency <n>', 'requests in flight', positiveInt('--concurrency'), DEFAULT_CONCURRENCY)
    .option('--prune', 'remove the namespaces of students who left the roster')
    .option('--force', 'publish even if the class does not fit the free capacity')
    .option('--domain <domain>', 'domain for exposure hosts', 'labs.localhost')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines']).default('auto'))
    .action(async (ref: string, opts: ConnOpts & { class: string; students?: number; roster?: string; student?: string[]; concurrency: number; prune?: boolean; force?: boolean; domain: string; progress: string }) => {
    const at = ref.lastIndexOf('@');
    if (at <= 0) throw new UsageError(`expected <lab>@<tag>, e.g. routing-lab@v1 or lab.yaml@v1; got "${ref}"`);
    const lab = labArg(ref.slice(0, at));
    const tag = ref.slice(at + 1);
    const students = studentsFrom(opts);
    if (!students) throw new UsageError('name the students with --students N, --roster FILE.csv or --student ID');

    const useBar = opts.progress === 'bar' || (opts.progress === 'auto' && process.stderr.isTTY === true);
    const bar = useBar ? new SingleBar({ format: 'publishing [{bar}] {value}/{total} students | {eta_formatted} left | {last}', hideCursor: true, stream: process.stderr }) : undefined;
    const result = await engine(opts, async (c) => {
      const release = await getRelease(c, lab.name, tag);
      return publish(c, {
        className: opts.class,
        students,
        release,
        concurrency: opts.concurrency,
        prune: !!opts.prune,
        force: !!opts.force,
        domain: opts.domain,
        onStart: ({ total }) => bar?.start(total, 0, { last: '' }),
        onProgress: ({ done, total, result: r }) => {
          if (bar) bar.update(done, { last: `${r.student} ${r.status}` });
          else io.stderr(`[${done}/${total}] ${r.student} ${r.namespace} ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
        },
      });
    });
    bar?.stop();
    const rows = result.results.map((r: StudentResult) => [r.student, r.namespace, r.status, String(r.objects), String(r.retries), r.error ?? '']);
    io.stdout(`${table([['STUDENT', 'NAMESPACE', 'RESULT', 'OBJECTS', 'RETRIES', 'ERROR'], ...rows])}\n`);
    for (const l of result.left) {
      io.stdout(l.removed ? `removed ${l.student} (${l.namespace}): no longer in the roster\n` : `${l.student} (${l.namespace}) is no longer in the roster; pass --prune to remove their namespace\n`);
    }
    const failed = result.results.filter((r) => r.status === 'failed').length;
    io.stdout(`${result.results.length - failed} published, ${failed} failed\n`);
    if (failed) throw new CommandFailure(`${plural(failed, 'student')} failed; run the same command again to retry (publish is resumable)`);
  });

  classCommand(program, 'status', 'Show every student of a class: nodes ready/total and quota used/hard (one list+watch for the class).')
    .option('--watch', 'keep the table live until interrupted')
    .action(async (opts: ConnOpts & { class: string; watch?: boolean }) => {
    if (!opts.watch) {
      const rows = await engine(opts, (c) => classStatus(c, opts.class));
      io.stdout(rows.length ? `${formatRows(rows)}\n` : `class ${opts.class} has no students; publish a release to it first\n`);
      return;
    }
    await engine(opts, async (c) => {
      const stop = await watchClass(c, opts.class, (rows) => {
        const text = rows.length ? formatRows(rows) : `class ${opts.class} has no students yet`;
        io.stdout(process.stdout.isTTY ? `\x1b[2J\x1b[H${text}\n` : `${text}\n\n`);
      });
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      stop();
    });
  });

  classCommand(program, 'teardown', "Delete a class's student namespaces (or one student's) and wait until they are gone.")
    .option('--student <id>', 'only this student')
    .action(async (opts: ConnOpts & { class: string; student?: string }) => {
    const r = await engine(opts, (c) => teardown(c, opts.class, opts.student));
    io.stdout(`deleted ${plural(r.deleted.length, 'namespace')}\n`);
    if (r.stuck.length) throw new CommandFailure(`still terminating: ${r.stuck.join(', ')}; check their finalizers with kubectl get ns -o yaml`);
  });

  classCommand(program, 'reset', "Delete one student's namespace and publish their release to them again (their data is lost).")
    .requiredOption('--student <id>', 'the student')
    .action(async (opts: ConnOpts & { class: string; student: string }) => {
    const r = await engine(opts, (c) => reset(c, opts.class, opts.student));
    if (r.status === 'failed') throw new CommandFailure(`re-publishing ${opts.student} failed: ${r.error}`);
    io.stdout(`reset ${opts.student}: ${r.namespace} re-created with ${r.objects} objects\n`);
  });

  classCommand(program, 'credentials', 'Print a kubeconfig for one student only, with an expiring token (TokenRequest).')
    .requiredOption('--student <id>', 'the student')
    .option('--duration <d>', 'token lifetime, e.g. 8h or 7d', '24h')
    .option('-o, --output <file>', 'write to FILE (mode 0600) instead of stdout')
    .action(async (opts: ConnOpts & { class: string; student: string; duration: string; output?: string }) => {
    const r = await engine(opts, (c) => studentCredentials(c, opts.class, opts.student, parseDuration(opts.duration)));
    if (opts.output) {
      writeFileSync(opts.output, r.kubeconfig, { mode: 0o600 });
      io.stderr(`wrote ${opts.output} for namespace ${r.namespace}; the token expires at ${r.expiresAt}\n`);
    } else {
      io.stdout(r.kubeconfig);
      io.stderr(`namespace ${r.namespace}; the token expires at ${r.expiresAt}\n`);
    }
  });
};
