/**
 * Where a login lands: `student` → the lab's entry node (the node marked `entry`, else the first
 * container), `student+node` → that node. Always in the student's own namespace: the user name
 * only ever names a node of the student's lab, never a namespace, so no spelling reaches
 * another student. The lab is read from the release the namespace runs (cached per release).
 */
import { runsCommands } from '../../common/lab/node-kinds';
import { LABEL } from '../../common/compile';
import type { Lab } from '../../common/lab';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE } from '../kube/kinds';
import { getRelease } from '../engine/releases';
import { checkExecutable, findExecPod, podContainers, TerminalError } from '../streams';
import { studentNamespaceIn } from '../engine/student-namespace';
import { resumeStudents } from '../engine/suspend';
import { suspensionOf } from '../engine/suspension';

/** How long a login waits for a suspended lab to come back before it gives up. */
const RESUME_WAIT_MS = 5 * 60_000;

export interface NodeTarget {
  namespace: string;
  node: string;
  pod: string;
  container: string;
}

/** `student` or `student+node`; undefined when the name cannot be either. */
export function parseUser(username: string): { student: string; node?: string } | undefined {
  if (username.length === 0 || username.length > 200) return undefined;
  const plus = username.lastIndexOf('+');
  // Student ids may contain '+' themselves; a node name is a DNS label after the last one.
  if (plus > 0) {
    const node = username.slice(plus + 1);
    if (/^[a-z][a-z0-9-]{0,62}$/.test(node)) return { student: username.slice(0, plus), node };
  }
  return { student: username };
}

export class TargetError extends Error {}

/** The node a login without `+node` lands in. */
function entryNode(lab: Lab): string | undefined {
  const containers = lab.nodes.filter(runsCommands);
  return (containers.find((n) => n.entry) ?? containers[0])?.name;
}

export class NodeTargets {
  private readonly labs = new Map<string, Promise<Lab>>();
  /** Resumes in flight, by namespace: two logins of one student wait on the same one. */
  private readonly resuming = new Map<string, Promise<void>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly className: string,
    /** A login to a suspended lab resumes it (docs/gateway.md, "Suspended labs"); off: it is refused. */
    private readonly resumeOnLogin = true,
  ) {}

  /**
   * Brings a suspended lab back and waits until its nodes are ready, telling the student how far
   * it got (at most one line per change). Resume is idempotent, so a retried login converges.
   */
  private resume(student: string, namespace: string, progress: (line: string) => void): Promise<void> {
    let p = this.resuming.get(namespace);
    if (!p) {
      let last = '';
      p = resumeStudents(this.cluster, this.className, {
        students: [student],
        waitMs: RESUME_WAIT_MS,
        onWaiting: (_s, statuses) => {
          const line = `starting your lab: ${statuses.filter((x) => x.ready).length}/${statuses.length} nodes ready`;
          if (line !== last) progress((last = line));
        },
      }).then(([r]) => {
        if (!r || r.status === 'failed') throw new TargetError(`your lab could not be started (${r?.error ?? 'no answer'}); ask your instructor`);
        if (r.ready === false) throw new TargetError('your lab did not come up in time; try again in a minute, or ask your instructor');
      });
      const done = p.finally(() => this.resuming.delete(namespace));
      done.catch(() => undefined);
      this.resuming.set(namespace, p);
    }
    return p;
  }

  private lab(name: string, tag: string): Promise<Lab> {
    const key = `${name}@${tag}`;
    let p = this.labs.get(key);
    if (!p) {
      p = getRelease(this.cluster, name, tag).then((r) => r.lab);
      p.catch(() => this.labs.delete(key));
      this.labs.set(key, p);
    }
    return p;
  }

  /**
   * The pod and container to exec in; throws TargetError with what the student should read. A
   * suspended lab is resumed first, with `progress` told how it goes.
   */
  async resolve(student: string, node: string | undefined, progress: (line: string) => void = () => undefined): Promise<NodeTarget> {
    let ns;
    let namespace: string;
    try {
      // By the student's annotation: their namespace may carry a name from an earlier scheme.
      namespace = await studentNamespaceIn(this.cluster, this.className, student);
      ns = await this.cluster.read(NAMESPACE, namespace);
    } catch (err) {
      throw new TargetError(`your lab cannot be looked up right now (${err instanceof KubeError ? err.kind : 'error'}); try again in a minute`);
    }
    if (!ns || ns.status?.phase === 'Terminating') throw new TargetError(`you have no lab in class ${this.className} right now; ask your instructor to publish it to you`);
    const labName = ns.metadata?.labels?.[LABEL.lab];
    const tag = ns.metadata?.labels?.[LABEL.release];
    if (!labName || !tag) throw new TargetError('your lab does not say which release it runs; ask your instructor to publish it again');
    if (suspensionOf(ns)) {
      if (!this.resumeOnLogin) throw new TargetError('your lab is suspended; ask your instructor to resume it');
      progress('your lab is suspended; starting it now (this can take a minute)');
      try {
        await this.resume(student, namespace, progress);
      } catch (err) {
        throw err instanceof TargetError ? err : new TargetError(`your lab could not be started right now (${err instanceof KubeError ? err.kind : 'error'}); try again in a minute`);
      }
      progress('your lab is running');
    }
    let lab: Lab;
    try {
      lab = await this.lab(labName, tag);
    } catch {
      throw new TargetError(`the release ${labName}@${tag} of your lab cannot be read; ask your instructor`);
    }
    const names = lab.nodes.filter(runsCommands).map((n) => n.name);
    let chosen = node;
    if (chosen === undefined) {
      chosen = entryNode(lab);
      if (!chosen) throw new TargetError('your lab has no container node to log in to (its virtual machines have consoles in the app)');
    } else {
      const spec = lab.nodes.find((n) => n.name === chosen);
      if (!spec) throw new TargetError(`your lab has no node "${chosen}"; its nodes are: ${names.join(', ')} (log in as ${student}+NODE)`);
      if (!runsCommands(spec)) throw new TargetError(`node "${chosen}" is a virtual machine; the gateway opens shells in containers only (${names.join(', ') || 'none'}); use its console in the app`);
    }
    try {
      const pod = await findExecPod(this.cluster, { namespace, node: chosen });
      const { defaultContainer } = podContainers(pod);
      checkExecutable(pod, defaultContainer);
      return { namespace, node: chosen, pod: pod.metadata?.name ?? '', container: defaultContainer };
    } catch (err) {
      if (err instanceof TerminalError) throw new TargetError(`node "${chosen}" is not ready: ${err.message.replace(namespace, 'your lab')}`);
      throw new TargetError(`node "${chosen}" cannot be reached right now; try again in a minute`);
    }
  }
}
