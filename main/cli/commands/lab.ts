import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { numberedStudents, parseRoster, type Student } from '../../class/roster';
import { compileLab, devNamespace, objectsToYaml, studentNamespace, type CompileTarget } from '../../../common/compile';
import { formatIssue, labJsonSchema, parseLab, serializeLab, validateLab, type Lab } from '../../../common/lab';
import { isDnsLabel } from '../../../common/lab/dns-label';
import { isQuantity } from '../../../common/lab/quantity';
import { applyTemplateOptions, loadTemplate, templateNames } from '../../templates';
import { InvalidInputError, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';

/** Reads and decodes a lab file; bad input becomes the list of positioned errors (exit 1). */
export function readLabFile(file: string): Lab {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InvalidInputError([`${file}: cannot read the lab file (${code ?? (err as Error).message})`]);
  }
  const r = parseLab(text);
  if (!r.ok) throw new InvalidInputError(r.issues.map((i) => formatIssue(i, file)));
  return r.lab;
}

export function dnsLabelArg(what: string, max = 63) {
  return (value: string) => {
    if (!isDnsLabel(value, max)) {
      throw new InvalidArgumentError(`${what} must be a DNS-1123 label (lowercase letters, digits, '-'; at most ${max})`);
    }
    return value;
  };
}

export function positiveInt(what: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError(`${what} must be a whole number from 1 to 10000`);
    return n;
  };
}

function quantityArg(what: string) {
  return (value: string) => {
    if (!isQuantity(value)) throw new InvalidArgumentError(`${what} must be a quantity such as "2", "500m", "4Gi"`);
    return value;
  };
}

/** Students from --student/--students/--roster; at most one of the three. */
export function studentsFrom(opts: { student?: string[]; students?: number; roster?: string }): Student[] | undefined {
  const given = [opts.student?.length ? 1 : 0, opts.students ? 1 : 0, opts.roster ? 1 : 0].reduce((a, b) => a + b, 0);
  if (given > 1) throw new UsageError('use only one of --student, --students and --roster');
  if (opts.student?.length) return opts.student.map((id) => ({ id }));
  if (opts.students) return numberedStudents(opts.students);
  if (opts.roster) {
    let text: string;
    try {
      text = readFileSync(opts.roster, 'utf8');
    } catch (err) {
      throw new InvalidInputError([`${opts.roster}: cannot read the roster (${(err as NodeJS.ErrnoException).code})`]);
    }
    const r = parseRoster(text);
    if (!r.ok) throw new InvalidInputError(r.issues.map((i) => `${opts.roster}:${i.line}: ${i.message}`));
    return r.students;
  }
  return undefined;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const labCommands: CommandModule = (program: Command, io: CliIO) => {
  program
    .command('validate')
    .description('Check a lab file; print each error with its line:column, YAML path and fix.')
    .argument('<lab>', 'lab file (YAML)')
    .action((file: string) => {
      const lab = readLabFile(file);
      const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
      io.stdout(`${file}: valid lab "${lab.metadata.name}" (${n(lab.nodes.length, 'node')}, ${n(lab.networks.length, 'network')}, ${n(lab.volumes.length, 'volume')})\n`);
    });

  program
    .command('compile')
    .description('Compile a lab to Kubernetes objects: the dev namespace, or one namespace per student.')
    .argument('<lab>', 'lab file (YAML)')
    .option('--class <name>', 'class name (DNS-1123 label); defaults to the lab name for students', dnsLabelArg('--class', 30))
    .option('--student <id>', 'a student id (repeatable)', collect)
    .option('--students <n>', 'N anonymous students student-01..N', positiveInt('--students'))
    .option('--roster <file.csv>', 'CSV with columns id,name,email[,ssh_key]')
    .option('--namespace <ns>', 'dev namespace (default: <lab>-dev); ignored with students', dnsLabelArg('--namespace'))
    .option('--release <tag>', 'release tag to label the objects with', dnsLabelArg('--release'))
    .option('--domain <domain>', 'domain for exposure hosts', 'labs.localhost')
    .option('-o, --output <dir>', 'write one <namespace>.yaml per namespace into DIR instead of stdout')
    .addHelpText('after', '\nExamples:\n  labforge compile lab.yaml\n  labforge compile lab.yaml --class cs101 --students 30 -o out/\n  labforge compile lab.yaml --class cs101 --roster roster.csv')
    .action((file: string, opts: { class?: string; student?: string[]; students?: number; roster?: string; namespace?: string; release?: string; domain: string; output?: string }) => {
      const students = studentsFrom(opts);
      const lab = readLabFile(file);
      // Students always belong to a class; without --class the lab's name serves as one.
      const className = opts.class ?? (students ? lab.metadata.name : undefined);
      const base = { ...(className ? { class: className } : {}), ...(opts.release ? { release: opts.release } : {}), domain: opts.domain };
      const targets: CompileTarget[] = students
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
    .option('--cpu <cpu>', 'CPU for every node (requests = limits), e.g. 2 or 500m', quantityArg('--cpu'))
    .option('--memory <mem>', 'memory for every node (requests = limits), e.g. 4Gi', quantityArg('--memory'))
    .option('--disk <size>', 'scratch disk for VM nodes, e.g. 20Gi', quantityArg('--disk'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (refuses to overwrite)')
    .addOption(new Option('--force', 'overwrite FILE if it exists').hideHelp(false))
    .action((type: string, opts: { name?: string; cpu?: string; memory?: string; disk?: string; output?: string; force?: boolean }) => {
      if (!templateNames().includes(type)) throw new UsageError(`unknown type "${type}"; choose one of: ${templateNames().join(', ')}`);
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
    .action(() => {
      io.stdout(`${JSON.stringify(labJsonSchema(), null, 2)}\n`);
    });
};
