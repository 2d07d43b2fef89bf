import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { domainArg, labAtTagArg, positiveInt, studentIdsArg } from '../args';
import { UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, engine, labArg, type ConnOpts } from './engine';
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
      if (existsSync(opts.output) && readdirSync(opts.output).length > 0 && !opts.force) throw new UsageError(`${opts.output} is not empty; pass --force to write into it`);
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
      for (const [path, text] of files) {
        const file = join(opts.output, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      io.stderr(`wrote ${files.size} files to ${opts.output}: base/ and ${students.length} overlay${students.length === 1 ? '' : 's'} of ${release.labName}@${release.tag}\n`);
    });
};
