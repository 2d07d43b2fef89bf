import { existsSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { collect } from '../args';
import { InvalidInputError, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';

const FORMATS = ['compose', 'containerlab'] as const;
type Format = (typeof FORMATS)[number];

/** `labforge import compose|containerlab FILE [-o lab.yaml] [--env-file F] [-p NAME]`: a lab from another tool's file. */
export const importCommands: CommandModule = (program: Command, io: CliIO) => {
  program
    .command('import')
    .description('Make a lab from a docker-compose file or a containerlab topology; what cannot be carried is listed with its line.')
    .argument('<format>', `source format: ${FORMATS.join(' or ')}`)
    .argument('<file>', 'the compose file or containerlab topology (YAML)')
    .option('-o, --output <file>', 'write the lab to FILE instead of stdout (refuses to overwrite)')
    .option('--force', 'overwrite FILE if it exists')
    .option('--env-file <file>', 'compose: variables for ${VAR} interpolation instead of the .env beside the compose file (repeatable; later files win)', collect)
    .option('-p, --project-name <name>', 'compose: the lab\'s name, instead of the file\'s `name:` or the folder holding it')
    .addHelpText('after', '\nExamples:\n  labforge import compose docker-compose.yml -o lab.yaml\n  labforge import compose deploy/compose.yaml --env-file deploy/staging.env -p shop\n  labforge import containerlab srl.clab.yml -o lab.yaml')
    .action(async (format: string, file: string, opts: { output?: string; force?: boolean; envFile?: string[]; projectName?: string }) => {
      if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}"; choose ${FORMATS.join(' or ')}`);
      if (format !== 'compose' && (opts.envFile || opts.projectName !== undefined)) throw new UsageError('--env-file and --project-name apply to compose files only');
      if (opts.output && existsSync(opts.output) && !opts.force) throw new UsageError(`${opts.output} exists; pass --force to overwrite it`);
      const [{ importCompose, importContainerlab, formatImportMessage, MAX_IMPORT_BYTES }, { readLimited }, { readComposeEnv }, { validateLab, formatIssue, serializeLab }] = await Promise.all([
        import('../../../common/import'),
        import('../lab-input'),
        import('../compose-env'),
        import('../../../common/lab'),
      ]);
      const text = readLimited(file, { what: 'file to import', maxBytes: MAX_IMPORT_BYTES });
      let result;
      if ((format as Format) === 'compose') {
        const env = readComposeEnv(file, opts.envFile ?? []);
        for (const w of env.warnings) io.stderr(`${w} (warning)\n`);
        result = importCompose(text, file, { env: env.vars, directory: env.directory, ...(opts.projectName !== undefined ? { projectName: opts.projectName } : {}) });
      } else result = importContainerlab(text, file);
      for (const w of result.warnings) io.stderr(`${formatImportMessage(w, file)} (warning)\n`);
      if (!result.ok) throw new InvalidInputError(result.errors.map((e) => formatImportMessage(e, file)));
      // What the import made must pass the same rules as any lab; if not, say where in the lab.
      const checked = validateLab(result.lab);
      if (!checked.ok) throw new InvalidInputError(checked.issues.map((i) => `${formatIssue(i, 'imported lab')} (fix it in ${file} or edit the lab after import)`));
      const yaml = serializeLab(checked.lab);
      if (opts.output) {
        writeFileSync(opts.output, yaml);
        const n = checked.lab.nodes.length;
        io.stderr(`wrote ${relative(process.cwd(), opts.output) || opts.output}: lab "${checked.lab.metadata.name}" with ${n} node${n === 1 ? '' : 's'}, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}\n`);
      } else io.stdout(yaml);
    });
};
