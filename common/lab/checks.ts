/**
 * The `checks:` and `achievements:` sections of a lab: small shell scripts the engine runs in
 * each student's node (exit 0 = pass), and named sets of checks a student earns once all of them
 * first passed. The structure is zod (part of the lab schema, so the JSON Schema and the parser's
 * positioned errors come with it); how checks relate to nodes and to each other is
 * `checkRuleIssues`, called from the lab's semantic rules.
 */
import { runsCommands } from './node-kinds';
import { z } from 'zod';
import { DNS_LABEL } from './dns-label';

/** What a check gets when the lab does not say (seconds). */
const DEFAULT_CHECK_TIMEOUT = 15;
const MAX_CHECK_TIMEOUT = 600;

const checkId = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty` })
    .max(63, { error: `${what} must be at most 63 characters` })
    .regex(DNS_LABEL, { error: `${what} must be a DNS-1123 label: lowercase letters, digits and '-' (e.g. "web-serves-index")` });

export const checkSchema = z
  .strictObject({
    id: checkId('check id').describe('Lab-wide unique id; `labforge check --check ID` and achievements name the check by it.'),
    title: z.string({ error: 'title must be a string' }).min(1, { error: 'title must not be empty' }).describe('What the student is asked to do, in a few words.'),
    node: checkId('node').describe('The container node the script runs in.'),
    container: checkId('container').optional().describe('The container inside the node; the node\'s own container when unset.'),
    script: z
      .string({ error: 'script must be a string (a shell script)' })
      .min(1, { error: 'script must not be empty' })
      .describe('Shell script run with `sh -c` in the node; exit 0 means the check passes. A line of output starting with "FAIL:" is shown to the instructor with the hint.'),
    timeout: z
      .number({ error: 'timeout must be a number of seconds' })
      .int({ error: 'timeout must be a whole number of seconds' })
      .min(1, { error: `timeout must be between 1 and ${MAX_CHECK_TIMEOUT} seconds` })
      .max(MAX_CHECK_TIMEOUT, { error: `timeout must be between 1 and ${MAX_CHECK_TIMEOUT} seconds` })
      .optional()
      .describe(`Seconds the script may run before it is stopped and the check fails; ${DEFAULT_CHECK_TIMEOUT} when unset.`),
    points: z
      .number({ error: 'points must be a number' })
      .int({ error: 'points must be a whole number' })
      .min(0, { error: 'points must be 0 or more' })
      .max(1000, { error: 'points must be at most 1000' })
      .optional()
      .describe('What passing the check is worth; 1 when unset.'),
    hint: z.string({ error: 'hint must be a string' }).optional().describe('Shown next to a failing check.'),
    after: z.array(checkId('after entry'), { error: 'after must be a list of check ids' }).optional().describe('Checks that run (and are listed) before this one.'),
  })
  .describe('A check: a shell script run inside one node of each student\'s lab.');

export const achievementSchema = z
  .strictObject({
    name: checkId('achievement name').describe('Lab-wide unique name.'),
    title: z.string({ error: 'title must be a string' }).optional(),
    checks: z
      .array(checkId('check id'), { error: 'checks must be a list of check ids' })
      .min(1, { error: 'an achievement needs at least one check' })
      .describe('Earned the first time all of these checks have passed.'),
  })
  .describe('A named set of checks.');

export type LabCheck = z.output<typeof checkSchema>;
export type LabAchievement = z.output<typeof achievementSchema>;

/** What the rules need of the lab, so this file does not import the lab schema (which imports it). */
interface ChecksView {
  nodes: readonly { name: string; kind: string }[];
  checks?: readonly LabCheck[] | undefined;
  achievements?: readonly LabAchievement[] | undefined;
}

export interface CheckRuleIssue {
  path: (string | number)[];
  message: string;
}

/** Unique ids, references to container nodes and to other checks, no cycles through `after`. */
export function checkRuleIssues(lab: ChecksView): CheckRuleIssue[] {
  const issues: CheckRuleIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  const checks = lab.checks ?? [];
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));

  const ids = new Map<string, number>();
  checks.forEach((c, i) => {
    const first = ids.get(c.id);
    if (first !== undefined) add(['checks', i, 'id'], `duplicate check id "${c.id}": checks[${first}] already uses it; rename one of them`);
    else ids.set(c.id, i);
    const node = nodes.get(c.node);
    if (!node) add(['checks', i, 'node'], `node "${c.node}" is not declared under \`nodes\``);
    else if (!runsCommands(node)) add(['checks', i, 'node'], `node "${c.node}" is a ${node.kind}; checks run by exec, which only container nodes support`);
    c.after?.forEach((a, j) => {
      if (a === c.id) add(['checks', i, 'after', j], 'a check cannot come after itself');
      else if (!checks.some((o) => o.id === a)) add(['checks', i, 'after', j], `check "${a}" is not declared under \`checks\``);
    });
  });

  const cycle = afterCycle(checks);
  if (cycle) {
    const at = checks.findIndex((c) => c.id === cycle[0]);
    add(['checks', at, 'after'], `checks are ordered in a circle (${cycle.join(' → ')}); remove one of these \`after\` entries`);
  }

  const names = new Map<string, number>();
  (lab.achievements ?? []).forEach((a, i) => {
    const first = names.get(a.name);
    if (first !== undefined) add(['achievements', i, 'name'], `duplicate achievement name "${a.name}": achievements[${first}] already uses it`);
    else names.set(a.name, i);
    const seen = new Set<string>();
    a.checks.forEach((id, j) => {
      if (!ids.has(id)) add(['achievements', i, 'checks', j], `check "${id}" is not declared under \`checks\``);
      if (seen.has(id)) add(['achievements', i, 'checks', j], `check "${id}" is listed twice`);
      seen.add(id);
    });
  });
  return issues;
}

/** A cycle through `after` (ids, first repeated at the end), or null. */
function afterCycle(checks: readonly LabCheck[]): string[] | null {
  const after = new Map(checks.map((c) => [c.id, (c.after ?? []).filter((a) => a !== c.id)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const a of after.get(id) ?? []) {
      if (!after.has(a)) continue;
      const found = visit(a);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const c of checks) {
    const found = visit(c.id);
    if (found) return found;
  }
  return null;
}

/**
 * The checks in run order: every check after the ones it names in `after`, otherwise in file
 * order. Assumes a valid lab (no cycles); a cycle's members keep file order.
 */
export function orderedChecks<T extends Pick<LabCheck, 'id' | 'after'>>(checks: readonly T[]): T[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const out: T[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (c: T) => {
    if (placed.has(c.id) || visiting.has(c.id)) return;
    visiting.add(c.id);
    for (const a of c.after ?? []) {
      const dep = byId.get(a);
      if (dep) place(dep);
    }
    visiting.delete(c.id);
    placed.add(c.id);
    out.push(c);
  };
  checks.forEach(place);
  return out;
}

export const checkTimeout = (c: Pick<LabCheck, 'timeout'>) => c.timeout ?? DEFAULT_CHECK_TIMEOUT;
export const checkPoints = (c: Pick<LabCheck, 'points'>) => c.points ?? 1;
