import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { domainArg, labAtTagArg, positiveInt, shown, studentIdsArg } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, engine, labArg, type ConnOpts } from '../engine-command';
import { studentsFrom } from './lab';

/** `labforge export gitops <lab>@<tag> --class C …`: a Kustomize tree of the class for GitOps. */
export const exportCommands: CommandModule = (program: Command, io: CliIO) => {
  const exp = program.command('export').description('Export a release for other tools.');
  classCommand(exp, 'gitops', 'Write a Kustomize tree of a class: base/ (the release compiled once), overlays/<student>/, an Argo CD ApplicationSet and Flux Kustomizations.')
    .argument('<lab@tag>', 'lab file or name, @ release tag', labAtTagArg)
    .option('--students <n>', 'N anonymous students student-01..N', positiveInt('--students'))
    .option('--roster <file.csv>', 'CSV with columns id,name,email[,ssh_key]')
    .option('--student <id>', 'a student id (repeatable)', studentIdsArg('--student'))
    .requiredOption('-o, --output <dir>', 'folder to write the tree into')
    .option('--repo <url>', 'git repository the tree is committed to (for Argo CD and Flux)', 'https://git.example.com/REPLACE-ME.git')
    .option('--revision <rev>', 'branch or tag Argo CD and Flux follow', 'main')
    .option('--path <dir>', 'where the tree sits in the repository (default: the output folder as given)')
    .option('--domain <domain>', 'domain for exposure hosts', domainArg('--domain'), 'labs.localhost')
    .option('--force', 'write into a folder that is not empty')
    .addHelpText('after', '\nExample:\n  labforge export gitops routing-lab@v1 --class cs101 --roster roster.csv -o gitops/cs101 --repo https://git.example.com/course/labs.git')
    .action(async (ref: { lab: string; tag: string }, opts: ConnOpts & { class: string; students?: number; roster?: string; student?: string[]; output: string; repo: string; revision: string; path?: string; domain: string; force?: boolean }) => {
      const students = await studentsFrom(opts);
      if (!students) throw new UsageError('name the students with --students N, --roster FILE.csv or --student ID');
      checkOutputFolder(opts.output, !!opts.force);
      const lab = await labArg(ref.lab);
      const tag = ref.tag;
      const [{ getRelease }, { gitopsTree }] = await Promise.all([import('../../engine/releases'), import('../../../common/export/gitops')]);
      const release = await engine(opts, (c) => getRelease(c, lab.name, tag));
      const files = gitopsTree({
        lab: release.lab,
        className: opts.class,
        release: release.tag,
        students,
        domain: opts.domain,
        repoURL: opts.repo,
        revision: opts.revision,
        repoPath: opts.path ?? opts.output,
      });
      await writeTree(opts.output, files);
      io.stderr(`wrote ${files.size} files to ${opts.output}: base/ and ${students.length} overlay${students.length === 1 ? '' : 's'} of ${release.labName}@${release.tag}\n`);
    });
};

/** `-o` must be a folder, or not exist yet; a folder with files in it only with --force. */
function checkOutputFolder(output: string, force: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(output).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`-o ${shown(output)} cannot be used (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a folder to write the tree into`);
  }
  if (!isDir) throw new UsageError(`-o ${shown(output)} is not a folder; give a folder to write the tree into (it is made if it does not exist)`);
  if (readdirSync(output).length > 0 && !force) throw new UsageError(`${output} is not empty; pass --force to write into it`);
}

/**
 * Writes the tree inside `output` and nowhere else: with --force the folder may already hold
 * links (`overlays/` pointing elsewhere), and a link that leads out is refused before any file
 * is written. Every folder is checked (and made) first, then each file is written to a fresh
 * file and renamed over the old one, so a link at a file's name is replaced, not written through.
 */
async function writeTree(output: string, files: Map<string, string>): Promise<void> {
  const { ensureDirInside, writeFileInside, OutsideRootError } = await import('../../api/safe-write');
  try {
    mkdirSync(output, { recursive: true });
    for (const dir of new Set([...files.keys()].map((p) => dirname(p)))) await ensureDirInside(output, dir);
    for (const [path, text] of files) await writeFileInside(output, path, text, 0o644);
  } catch (err) {
    if (err instanceof OutsideRootError) throw new CommandFailure(`-o ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (e.code && e.path) throw new CommandFailure(`cannot write ${e.path} (${e.code}); choose another -o folder`);
    throw err;
  }
}
