/**
 * Edits of the lab's checks and achievements from the canvas: a node's checks in its inspector,
 * and keeping checks in step when a node is renamed or deleted (a deleted node's checks go with
 * it, and so do their places in achievements, as exposures do).
 */
import type { LabAchievement, LabCheck } from '../../../common/lab/schema';
import type { Doc, LabBody } from './doc';

type ChecksPart = Pick<LabBody, 'checks' | 'achievements'>;

/** Optional sections stay absent rather than empty, so the YAML keeps no `checks: []`. */
const section = <T>(items: T[] | undefined): T[] | undefined => (items && items.length ? items : undefined);

/** The checks and achievements once `nodes` are gone. */
export function checksWithoutNodes(lab: ChecksPart, nodes: ReadonlySet<string>): ChecksPart {
  if (!nodes.size || !lab.checks?.some((c) => nodes.has(c.node))) return { checks: lab.checks, achievements: lab.achievements };
  const gone = new Set(lab.checks.filter((c) => nodes.has(c.node)).map((c) => c.id));
  return withoutChecks(lab, gone);
}

function withoutChecks(lab: ChecksPart, gone: ReadonlySet<string>): ChecksPart {
  const achievements = (lab.achievements ?? [])
    .map((a): LabAchievement => ({ ...a, checks: a.checks.filter((id) => !gone.has(id)) }))
    .filter((a) => a.checks.length > 0);
  const checks = (lab.checks ?? []).filter((c) => !gone.has(c.id)).map((c) => (c.after?.some((a) => gone.has(a)) ? dropAfter(c, gone) : c));
  return { checks: section(checks), achievements: section(achievements) };
}

function dropAfter(c: LabCheck, gone: ReadonlySet<string>): LabCheck {
  const after = c.after!.filter((a) => !gone.has(a));
  const { after: _drop, ...rest } = c;
  return after.length ? { ...rest, after } : rest;
}

/** Checks follow their node's new name. */
export function checksRenamedNode(checks: LabCheck[] | undefined, from: string, to: string): LabCheck[] | undefined {
  return checks?.some((c) => c.node === from) ? checks.map((c) => (c.node === from ? { ...c, node: to } : c)) : checks;
}

/** The doc with these checks and achievements; an empty section is left out. */
export const withChecks = (doc: Doc, part: ChecksPart): Doc => {
  const lab: LabBody = { ...doc.lab };
  if (part.checks) lab.checks = part.checks;
  else delete lab.checks;
  if (part.achievements) lab.achievements = part.achievements;
  else delete lab.achievements;
  return { ...doc, lab };
};

/** A new check on `node`, with an id no other check has and a script to start from. */
export function addCheck(doc: Doc, node: string): Doc {
  const taken = new Set((doc.lab.checks ?? []).map((c) => c.id));
  let n = (doc.lab.checks ?? []).length + 1;
  while (taken.has(`${node}-check-${n}`)) n++;
  const check: LabCheck = {
    id: `${node}-check-${n}`.slice(0, 63),
    title: 'Describe what the student must do',
    node,
    script: 'test -f /tmp/done || { echo "FAIL: /tmp/done does not exist"; exit 1; }',
  };
  return withChecks(doc, { checks: [...(doc.lab.checks ?? []), check], achievements: doc.lab.achievements });
}

/** Changes one check (by its index in `checks`); an id change follows into `after` and achievements. */
export function updateCheck(doc: Doc, index: number, patch: Partial<LabCheck>): Doc {
  const checks = [...(doc.lab.checks ?? [])];
  const before = checks[index];
  if (!before) return doc;
  const next = { ...before, ...patch } as LabCheck & Record<string, unknown>;
  for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
  checks[index] = next;
  let achievements = doc.lab.achievements;
  if (patch.id !== undefined && patch.id !== before.id) {
    const rename = (id: string) => (id === before.id ? patch.id! : id);
    for (let i = 0; i < checks.length; i++) if (checks[i]!.after?.includes(before.id)) checks[i] = { ...checks[i]!, after: checks[i]!.after!.map(rename) };
    achievements = achievements?.map((a) => ({ ...a, checks: a.checks.map(rename) }));
  }
  return withChecks(doc, { checks, achievements });
}

export function removeCheck(doc: Doc, index: number): Doc {
  const c = doc.lab.checks?.[index];
  return c ? withChecks(doc, withoutChecks(doc.lab, new Set([c.id]))) : doc;
}


