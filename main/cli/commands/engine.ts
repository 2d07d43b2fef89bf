/**
 * The engine commands: deploy, snapshot, releases, diff, publish and class operations.
 * Their shared options and error handling are ../engine-command.ts.
 *
 * Every flag value is checked by commander while parsing (../args), before an action runs, so
 * a bad value never reaches the cluster. The engine, the Kubernetes client and the lab parser
 * are imported inside the actions.
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { escapeControl } from '../../../common/lab/escape';
import type { NodeStatus } from '../../engine/node-status';
import { dnsLabelArg, domainArg, durationArg, endDateArg, formatSeconds, labAtTagArg, positiveInt, studentIdArg, studentIdsArg, tagRefArg, studentCountArg } from '../args';
import { CommandFailure, UsageError } from '../errors';
import { imageHints } from '../image-hints';
import type { CliIO, CommandModule } from '../program';
import { studentsFrom } from './lab';
import { classCommand, engine, labArg, withConnection, zoneConnector, type ConnOpts } from '../engine-command';
import { readZonesFile } from '../zones-input';
import { scheduleOptions } from './schedule';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const DAY = 86_400;

/** publish's end date, volume policy and link kind, only when given (else the class keeps its own). */
const classSettingsOpts = (o: { expires?: string; volumesAtEnd?: 'keep' | 'delete'; links?: 'readable' | 'random' }) => ({
  ...(o.expires ? { expiresAt: o.expires } : {}),
  ...(o.volumesAtEnd ? { volumes: o.volumesAtEnd } : {}),
  ...(o.links ? { links: o.links } : {}),
});

export const engineCommands: CommandModule = (program: Command, io: CliIO) => {
  /** A class operation that finds the class's lock held says so while it watches the holder. */
  const waitNote = { onWait: (message: string) => io.stderr(`${escapeControl(message)}\n`) };
  const table = async (rows: string[][]) => (await import('../tables')).table(rows);
  const statusLines = async (statuses: NodeStatus[]) =>
    table([
      ['NODE', 'KIND', 'READY', 'RESTARTS', 'MESSAGE'],
      ...statuses.map((s) => [s.node, s.kind, s.ready ? `yes (${s.detail})` : `no (${s.state}: ${s.reason ?? s.detail})`, String(s.restarts), s.message ?? '']),
    ]);

  withConnection(
    program
      .command('deploy')
      .description("Apply a lab to the instructor's dev namespace (server-side apply; prunes what the lab dropped; waits for the nodes).")
      .argument('<lab>', 'lab file')
      .option('--namespace <ns>', 'dev namespace (default: <lab>-dev)', dnsLabelArg('--namespace'))
      .addOption(new Option('--timeout <duration>', 'how long to wait for readiness (1s to 1d)').argParser(durationArg('--timeout', 1, DAY)).default(300, '5m'))
      .option('--no-wait', 'return once applied, without waiting for readiness')
      .option('--prune-volumes', 'also delete volumes the lab no longer has (their data is lost)'),
  ).action(async (file: string, opts: ConnOpts & { namespace?: string; timeout: number; wait: boolean; pruneVolumes?: boolean }) => {
    const [{ readLabFile }, { deploy }] = await Promise.all([import('../lab-input'), import('../../engine/deploy')]);
    const warnings: string[] = [];
    const lab = readLabFile(file, warnings);
    // Said before the wait, which would otherwise end in a crash loop with no reason given.
    for (const w of warnings) io.stderr(`${w}\n`);
    const r = await engine(opts, (c) => deploy(c, lab, { ...(opts.namespace ? { namespace: opts.namespace } : {}), wait: opts.wait, timeoutMs: opts.timeout * 1000, pruneVolumes: !!opts.pruneVolumes }));
    io.stdout(`applied ${r.applied} objects to ${r.namespace}\n`);
    if (r.pruned.deleted.length) io.stdout(`pruned: ${r.pruned.deleted.join(', ')}\n`);
    if (r.pruned.keptVolumes.length) io.stdout(`kept volumes no longer in the lab: ${r.pruned.keptVolumes.join(', ')} (delete with --prune-volumes)\n`);
    if (opts.wait) {
      io.stdout(`${await statusLines(r.statuses)}\n`);
      const hints = imageHints(r.statuses.map((st) => ({ ...(st.image ? { image: st.image } : {}), where: st.node })));
      if (hints) io.stdout(`${hints}\n`);
      if (!r.ready) throw new CommandFailure(`not every node became ready within ${formatSeconds(opts.timeout)}; see the table above, then \`kubectl -n ${r.namespace} describe pod\``);
      io.stdout('all nodes ready\n');
    }
  });

  withConnection(
    program
      .command('undeploy')
      .description("Delete the instructor's dev namespace (<lab>-dev) and all in it: its nodes and the data in its volumes. Releases are kept.")
      .argument('<lab>', 'lab file or lab name')
      .option('--namespace <ns>', 'dev namespace (default: <lab>-dev)', dnsLabelArg('--namespace'))
      .option('--yes', 'delete without first listing what would be lost')
      .addOption(new Option('--timeout <duration>', 'how long to wait for the namespace to be gone (1s to 1d)').argParser(durationArg('--timeout', 1, DAY)).default(120, '2m')),
  ).action(async (labRef: string, opts: ConnOpts & { namespace?: string; yes?: boolean; timeout: number }) => {
    const lab = await labArg(labRef);
    const { deleteDev } = await import('../../engine/dev-delete');
    const r = await engine(opts, (c) => deleteDev(c, lab.name, { ...(opts.namespace ? { namespace: opts.namespace } : {}), dryRun: !opts.yes, timeoutMs: opts.timeout * 1000 }));
    const lost = `${plural(r.pods, 'running pod')}${r.volumes.length ? ` and the data in ${plural(r.volumes.length, 'volume')} (${r.volumes.join(', ')})` : ', no volumes'}`;
    if (!opts.yes) throw new CommandFailure(`this would delete ${r.namespace}: ${lost}; releases are kept. Run again with --yes to delete it`);
    if (!r.gone) throw new CommandFailure(`${r.namespace} is still terminating after ${formatSeconds(opts.timeout)}; check its finalizers with kubectl get ns ${r.namespace} -o yaml`);
    io.stdout(`deleted ${r.namespace}: ${lost}\n`);
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
    const lab = await labArg(labRef);
    const { snapshot } = await import('../../engine/releases');
    const r = await engine(opts, (c) =>
      snapshot(c, opts.tag, { ...(lab.file ? { fileLab: lab.file } : { labName: lab.name }), ...(opts.namespace ? { namespace: opts.namespace } : {}), force: !!opts.force }),
    );
    io.stdout(`release ${r.labName}@${r.tag} created by ${r.author} at ${r.createdAt}\n`);
    io.stdout(`${await table([['NODE', 'IMAGE', 'PINNED'], ...r.images.map((i) => [i.node, i.image, i.pinned ?? '(no digest reported)'])])}\n`);
  });

  withConnection(
    program
      .command('releases')
      .description('List the releases stored in the cluster.')
      .option('--lab <name>', 'only this lab', dnsLabelArg('--lab')),
  ).action(async (opts: ConnOpts & { lab?: string }) => {
    const { listReleases } = await import('../../engine/releases');
    const list = await engine(opts, (c) => listReleases(c, opts.lab));
    if (list.length === 0) {
      io.stdout('no releases yet; create one with `labforge snapshot <lab> --tag v1`\n');
      return;
    }
    io.stdout(`${await table([['LAB', 'TAG', 'CREATED', 'AUTHOR', 'NODES', 'PINNED'], ...list.map((r) => [r.labName, r.tag, r.createdAt, r.author, String(r.images.length), `${r.images.filter((i) => i.pinned).length}/${r.images.length}`])])}\n`);
  });

  withConnection(
    program
      .command('diff')
      .description('Show what changed between two releases of a lab.')
      .argument('<from>', 'tag, or lab@tag', tagRefArg)
      .argument('<to>', 'tag, or lab@tag', tagRefArg)
      .option('--lab <name>', 'the lab, when the tags do not say it', dnsLabelArg('--lab')),
  ).action(async (from: { lab?: string; tag: string }, to: { lab?: string; tag: string }, opts: ConnOpts & { lab?: string }) => {
    const ref = (r: { lab?: string; tag: string }) => {
      const lab = r.lab ?? opts.lab;
      if (!lab) throw new UsageError(`name the lab: ${r.tag} → <lab>@${r.tag}, or pass --lab`);
      return { lab, tag: r.tag };
    };
    const [x, y] = [ref(from), ref(to)];
    const { diffLabs, formatChange, getRelease } = await import('../../engine/releases');
    const changes = await engine(opts, async (c) => diffLabs((await getRelease(c, x.lab, x.tag)).lab, (await getRelease(c, y.lab, y.tag)).lab));
    io.stdout(changes.length ? `${changes.map(formatChange).join('\n')}\n` : 'no changes\n');
  });

  scheduleOptions(classCommand(program, 'publish', 'Publish a release to one isolated namespace per student (resumable; upgrades in place).'), 'schedule')
    .argument('<lab@tag>', 'lab file or name, @ release tag', labAtTagArg)
    .option('--students <n>', 'N anonymous students student-01..N', studentCountArg)
    .option('--roster <file.csv>', 'CSV with columns id,name,email[,ssh_key]')
    .option('--student <id>', 'a student id (repeatable)', studentIdsArg('--student'))
    .option('--concurrency <n>', 'requests in flight (1 to 256; default: what suits one API server)', positiveInt('--concurrency', 256))
    .option('--prune', 'remove the namespaces of students who left the roster')
    .option('--force', 'publish even if the class does not fit the free capacity')
    .option('--domain <domain>', 'domain for exposure hosts', domainArg('--domain'), 'labs.localhost')
    .option('--zones <file>', 'spread the class over the clusters (zones) in FILE; later publishes reuse them (docs/zones.md)')
    .option('--expires <when>', 'when the class ends: a date (2027-01-31) or a duration from now (30d); docs/reconcile.md', endDateArg('--expires'))
    .addOption(new Option('--volumes-at-end <what>', 'at the end date, keep the volumes or delete them (default: keep)').choices(['keep', 'delete']))
    .addOption(new Option('--links <kind>', "students' web links: readable <node>-<port>.<namespace>.<domain>, or random stable subdomains (default: as before, else readable)").choices(['readable', 'random']))
    .option('--schedule <text|file.yaml>', 'when the class meets, e.g. "Mon,Wed 09:00-11:00; 2026-12-14 14:00-16:00", or a YAML file; labs are resumed before each session and suspended after (default: as before; docs/reconcile.md)')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines']).default('auto'))
    .action(async (ref: { lab: string; tag: string }, opts: ConnOpts & { class: string; students?: number; roster?: string; student?: string[]; concurrency?: number; prune?: boolean; force?: boolean; domain: string; progress: string; zones?: string; expires?: string; volumesAtEnd?: 'keep' | 'delete'; links?: 'readable' | 'random'; schedule?: string; timezone?: string; warm?: number }) => {
    if (!opts.schedule && (opts.timezone !== undefined || opts.warm !== undefined)) throw new UsageError('--timezone and --warm go with --schedule (to change them alone, use `labforge schedule --class C --set`)');
    const lab = await labArg(ref.lab);
    const students = await studentsFrom(opts);
    if (!students) throw new UsageError('name the students with --students N, --roster FILE.csv or --student ID');
    const schedule = opts.schedule ? await (await import('../schedule-input')).readScheduleArg(opts.schedule, { ...(opts.timezone ? { timezone: opts.timezone } : {}), ...(opts.warm !== undefined ? { warm: opts.warm } : {}) }) : undefined;
    const zonesGiven = opts.zones ? await readZonesFile(opts.zones, opts) : undefined;

    const [{ publishClass }, { getRelease }, { SingleBar }, { withClassLock }, connectZone] = await Promise.all([import('../../engine/class-verbs'), import('../../engine/releases'), import('cli-progress'), import('../../engine/class-lock'), zoneConnector(opts)]);
    const useBar = opts.progress === 'bar' || (opts.progress === 'auto' && process.stderr.isTTY === true);
    // A class over zones reports per zone, one line a student; one cluster gets the bar.
    let bar = useBar ? new SingleBar({ format: 'publishing [{bar}] {value}/{total} students | {eta_formatted} left | {last}', hideCursor: true, stream: process.stderr }) : undefined;
    const result = await engine(opts, (c) =>
      // One operation on a class at a time, from any machine (engine/class-lock.ts); the second is told who holds it.
      withClassLock(c, opts.class, 'publish', async (signal) => {
        const release = await getRelease(c, lab.name, ref.tag);
        const published = await publishClass(
          { home: c, connectZone },
          {
            className: opts.class,
            students,
            release,
            ...(zonesGiven ? { zones: zonesGiven } : {}),
            signal,
            ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
            prune: !!opts.prune,
            force: !!opts.force,
            domain: opts.domain,
            ...classSettingsOpts(opts),
            ...(schedule ? { schedule } : {}),
            onZone: (zone, message) => io.stderr(`zone ${zone}: ${message}\n`),
            onStart: ({ total, zoned }) => (zoned ? (bar = undefined) : bar?.start(total, 0, { last: '' })),
            onProgress: ({ done, total, result: r }) => {
              if (bar) bar.update(done, { last: `${r.student} ${r.status}` });
              else io.stderr(`[${done}/${total}] ${r.student} ${r.namespace} ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
            },
          },
        );
        // The roster's ssh_key column: keys for `labforge gateway` (docs/gateway.md), on a class of one cluster.
        if (!published.zoned && students.some((s) => s.sshKey)) {
          const { storeRosterKeys } = await import('../../gateway/key-store');
          const keys = await storeRosterKeys(c, opts.class, students, published.results);
          io.stderr(`stored ${keys.stored} SSH key${keys.stored === 1 ? '' : 's'} from the roster\n`);
          for (const e of keys.errors) io.stderr(`ssh key of ${e}\n`);
        }
        return published;
      }, waitNote),
    );
    bar?.stop();
    const zoned = result.results.some((r) => r.zone !== undefined);
    const rows = result.results.map((r) => [r.student, ...(zoned ? [r.zone ?? ''] : []), r.namespace, r.status, String(r.objects), String(r.retries), r.error ?? '']);
    io.stdout(`${await table([['STUDENT', ...(zoned ? ['ZONE'] : []), 'NAMESPACE', 'RESULT', 'OBJECTS', 'RETRIES', 'ERROR'], ...rows])}\n`);
    for (const u of result.unreachable) io.stdout(`zone ${u.zone} could not be reached (${u.error}); its students keep their place: publish again once it is back\n`);
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
    const [{ watchClass }, { formatRows, formatHealth }] = await Promise.all([import('../../engine/class-ops'), import('../tables')]);
    const { statusOfClass } = await import('../../engine/class-verbs');
    const connectZone = await zoneConnector(opts);
    if (!opts.watch) {
      const r = await engine(opts, (c) => statusOfClass({ home: c, connectZone }, opts.class));
      const zoned = r.rows.some((row) => row.zone !== undefined);
      io.stdout(r.rows.length ? `${formatRows(r.rows, zoned)}\n` : r.unreachable.length ? '' : `class ${opts.class} has no students; publish a release to it first\n`);
      const hints = imageHints(r.rows.flatMap((row) => Object.entries(row.nodes).map(([node, n]) => ({ ...(n.image ? { image: n.image } : {}), where: `${row.student}/${node}` }))));
      if (hints) io.stdout(`${hints}\n`);
      if (!zoned && r.rows.length) {
        const { classHealth } = await import('../../engine/reconcile-status');
        const notes = formatHealth(opts.class, await engine(opts, (c) => classHealth(c, opts.class)));
        if (notes) io.stdout(`${notes}\n`);
      }
      if (r.unreachable.length) throw new CommandFailure(r.unreachable.map((u) => `zone ${u.zone} could not be reached: ${u.error}`).join('; '));
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
    .option('--student <id>', 'only this student', studentIdArg('--student'))
    .action(async (opts: ConnOpts & { class: string; student?: string }) => {
    const [{ teardownClass }, { withClassLock }, connectZone] = await Promise.all([import('../../engine/class-verbs'), import('../../engine/class-lock'), zoneConnector(opts)]);
    const r = await engine(opts, (c) => withClassLock(c, opts.class, 'teardown', (signal) => teardownClass({ home: c, connectZone }, opts.class, opts.student, { signal }), waitNote));
    io.stdout(`deleted ${plural(r.deleted.length, 'namespace')}\n`);
    if (r.unreachable.length) throw new CommandFailure(`${r.unreachable.map((u) => `zone ${u.zone} could not be reached: ${u.error}`).join('; ')}; run teardown again once it is back`);
    if (r.stuck.length) throw new CommandFailure(`still terminating: ${r.stuck.join(', ')}; check their finalizers with kubectl get ns -o yaml`);
  });

  classCommand(program, 'reset', "Delete one student's namespace and publish their release to them again (their data is lost).")
    .requiredOption('--student <id>', 'the student', studentIdArg('--student'))
    .action(async (opts: ConnOpts & { class: string; student: string }) => {
    const [{ resetStudent }, { withClassLock }, connectZone] = await Promise.all([import('../../engine/class-verbs'), import('../../engine/class-lock'), zoneConnector(opts)]);
    const r = await engine(opts, (c) => withClassLock(c, opts.class, 'reset', (signal) => resetStudent({ home: c, connectZone }, opts.class, opts.student, { signal }), waitNote));
    if (r.status === 'failed') throw new CommandFailure(`re-publishing ${opts.student} failed: ${r.error}`);
    io.stdout(`reset ${opts.student}: ${r.namespace} re-created with ${r.objects} objects\n`);
  });

  // TokenRequest refuses lifetimes under 10 minutes; a year bounds a forgotten credential.
  classCommand(program, 'credentials', 'Print a kubeconfig for one student only, with an expiring token (TokenRequest).')
    .requiredOption('--student <id>', 'the student', studentIdArg('--student'))
    .addOption(new Option('--duration <d>', 'token lifetime, e.g. 8h or 7d (10m to 365d)').argParser(durationArg('--duration', 600, 365 * DAY)).default(DAY, '24h'))
    .option('-o, --output <file>', 'write to FILE (mode 0600) instead of stdout')
    .action(async (opts: ConnOpts & { class: string; student: string; duration: number; output?: string }) => {
    const [{ credentialsOf }, connectZone] = await Promise.all([import('../../engine/class-verbs'), zoneConnector(opts)]);
    const r = await engine(opts, (c) => credentialsOf({ home: c, connectZone }, opts.class, opts.student, opts.duration));
    if (opts.output) {
      writeFileSync(opts.output, r.kubeconfig, { mode: 0o600 });
      io.stderr(`wrote ${opts.output} for namespace ${r.namespace}; the token expires at ${r.expiresAt}\n`);
    } else {
      io.stdout(r.kubeconfig);
      io.stderr(`namespace ${r.namespace}; the token expires at ${r.expiresAt}\n`);
    }
    const { classLinks } = await import('../../engine/reconcile');
    const links = (await engine(opts, (c) => classLinks(c, opts.class, opts.student)).catch(() => []))[0]?.links ?? [];
    if (links.length) io.stderr(`web links: ${links.map((l) => l.url).join('  ')}\n`);
  });
};
