/**
 * The offline lab commands: validate, compile, create and schema. None of them talks to a
 * cluster; their implementations (the lab parser and compiler) are imported by the actions.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Option, type Command } from 'commander';
import type { Student } from '../../class/roster';
import { templateNames } from '../../template-names';
import { dnsLabelArg, domainArg, positiveInt, quantityArg, studentIdsArg, studentCountArg } from '../args';
import { InvalidInputError, UsageError } from '../errors';
import { escapeControl } from '../../../common/lab/escape';
import type { CliIO, CommandModule } from '../program';

export { dnsLabelArg, positiveInt } from '../args';

/** Students from --student/--students/--roster (at most one of them); reads the roster file. */
export async function studentsFrom(opts: { student?: string[]; students?: number; roster?: string }): Promise<Student[] | undefined> {
  return (await import('../students-input')).studentsFrom(opts);
}

export const labCommands: CommandModule = (program: Command, io: CliIO) => {
  program
    .command('validate')
    .description('Check a lab file; print each error with its line:column, YAML path and fix.')
    .argument('<lab>', 'lab file (YAML)')
    .action(async (file: string) => {
      const { readLabFile } = await import('../lab-input');
      const warnings: string[] = [];
      const lab = readLabFile(file, warnings);
      const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
      io.stdout(`${file}: valid lab "${lab.metadata.name}" (${n(lab.nodes.length, 'node')}, ${n(lab.networks.length, 'network')}, ${n(lab.volumes.length, 'volume')})\n`);
      // What a student's namespace will admit, and nodes that will not start as they are.
      const { describeLabSecurity, labSecurity } = await import('../../../common/lab/pod-security');
      io.stdout(`${describeLabSecurity(labSecurity(lab))}\n`);
      for (const w of warnings) io.stdout(`${w}\n`);
    });

  program
    .command('compile')
    .description('Compile a lab to Kubernetes objects: the dev namespace, or one namespace per student.')
    .argument('<lab>', 'lab file (YAML)')
    .option('--class <name>', 'class name (DNS-1123 label); defaults to the lab name for students', dnsLabelArg('--class', 30))
    .option('--student <id>', 'a student id (repeatable)', studentIdsArg('--student'))
    .option('--students <n>', 'N anonymous students student-01..N', studentCountArg)
    .option('--roster <file.csv>', 'CSV with columns id,name,email[,ssh_key]')
    .option('--namespace <ns>', 'dev namespace (default: <lab>-dev); ignored with students', dnsLabelArg('--namespace'))
    .option('--release <tag>', 'release tag to label the objects with', dnsLabelArg('--release', 40))
    .option('--domain <domain>', 'domain for exposure hosts', domainArg('--domain'), 'labs.localhost')
    .option('-o, --output <dir>', 'write one <namespace>.yaml per namespace into DIR instead of stdout')
    .addHelpText('after', '\nExamples:\n  labforge compile lab.yaml\n  labforge compile lab.yaml --class cs101 --students 30 -o out/\n  labforge compile lab.yaml --class cs101 --roster roster.csv')
    .action(async (file: string, opts: { class?: string; student?: string[]; students?: number; roster?: string; namespace?: string; release?: string; domain: string; output?: string }) => {
      const [{ readLabFile }, { studentsFrom: readStudents }, { compileLab, devNamespace, objectsToYaml, studentNamespace }, { formatClash, nameClashes }] = await Promise.all([
        import('../lab-input'),
        import('../students-input'),
        import('../../../common/compile'),
        import('../../class/name-clashes'),
      ]);
      const students = readStudents(opts);
      const lab = readLabFile(file);
      // Students always belong to a class; without --class the lab's name serves as one.
      const className = opts.class ?? (students ? lab.metadata.name : undefined);
      // Two students on one namespace would be one file written twice.
      const clashes = students ? nameClashes(className!, students) : [];
      if (clashes.length) throw new InvalidInputError(clashes.map((c) => escapeControl(`${opts.roster ?? '--student'}: ${formatClash(c)}`)));
      const base = { ...(className ? { class: className } : {}), ...(opts.release ? { release: opts.release } : {}), domain: opts.domain };
      const targets = students
        ? students.map((s) => ({ ...base, namespace: studentNamespace(className!, s.id), student: s.id }))
        : [{ ...base, namespace: opts.namespace ?? devNamespace(lab.metadata.name) }];

      if (opts.output) mkdirSync(opts.output, { recursive: true });
      for (const target of targets) {
        const yaml = objectsToYaml(compileLab(lab, target));
        if (opts.output) writeFileSync(join(opts.output, `${target.namespace}.yaml`), yaml);
        else io.stdout(yaml);
      }
      if (opts.output) io.stderr(`wrote ${targets.length} namespace file${targets.length === 1 ? '' : 's'} to ${opts.output}\n`);
    });

  program
    .command('create')
    .description(`Write a ready lab from a built-in template (${templateNames().join(', ')}).`)
    .argument('<type>', 'template type')
    .option('--name <name>', 'lab name (DNS-1123 label)', dnsLabelArg('--name', 40))
    .option('--cpu <cpu>', 'CPU for every node (requests = limits), e.g. 2 or 500m', quantityArg('--cpu', 'cpu'))
    .option('--memory <mem>', 'memory for every node (requests = limits), e.g. 4Gi', quantityArg('--memory', 'memory'))
    .option('--disk <size>', 'scratch disk for VM nodes, e.g. 20Gi', quantityArg('--disk', 'storage'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (refuses to overwrite)')
    .addOption(new Option('--force', 'overwrite FILE if it exists').hideHelp(false))
    .action(async (type: string, opts: { name?: string; cpu?: string; memory?: string; disk?: string; output?: string; force?: boolean }) => {
      if (!templateNames().includes(type)) throw new UsageError(`unknown type "${type}"; choose one of: ${templateNames().join(', ')}`);
      const [{ applyTemplateOptions, loadTemplate }, { formatIssue, serializeLab, validateLab }] = await Promise.all([
        import('../../templates'),
        import('../../../common/lab'),
      ]);
      const lab = applyTemplateOptions(loadTemplate(type), opts);
      // The flags can make a template invalid (e.g. --cpu below a node's own request is fine,
      // but a name clash is not); check with the same rules as `validate`.
      const checked = validateLab(lab);
      if (!checked.ok) throw new InvalidInputError(checked.issues.map((i) => formatIssue(i, type)));
      const text = serializeLab(checked.lab);
      if (opts.output) {
        if (existsSync(opts.output) && !opts.force) throw new UsageError(`${opts.output} exists; pass --force to overwrite it`);
        writeFileSync(opts.output, text);
        io.stderr(`wrote ${relative(process.cwd(), opts.output) || opts.output}\n`);
      } else io.stdout(text);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of lab files, for editors (e.g. yaml-language-server).')
    .action(async () => {
      const { labJsonSchema } = await import('../../../common/lab/json-schema');
      io.stdout(`${JSON.stringify(labJsonSchema(), null, 2)}\n`);
    });
};
