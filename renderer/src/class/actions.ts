/**
 * The class story's actions: deploy, watch dev, snapshot, releases and diffs, publish, watch a
 * class, reset, teardown, credentials. Each is one contract call or stream; results land in the
 * cluster store, failures in a notice.
 */
import { invoke, subscribe } from '../api/client';
import type { Request, Subscription } from '../../../common/api/contract';
import { useEditor } from '../store/editor';
import { confirmDialog, useUi } from '../store/ui';
import { patchOp, useCluster, type NodeStatus, type Operation } from './store';
import { deployVerdict, holdReason } from './verdict';

const context = () => useUi.getState().kubeContext;
const notify = (tone: 'info' | 'error' | 'success', text: string) => useUi.getState().notify(tone, text);

function startOp(kind: Operation['kind'], title: string): void {
  useCluster.setState({ op: { kind, title, phase: 'starting', done: 0, total: 0, students: {}, state: 'running', error: null, cancel: null, deadline: null, stopWaiting: null } });
}

/** How long a deploy from the app waits for its nodes before it ends with a verdict. */
export const DEPLOY_TIMEOUT_S = 300;

function endOp<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, success: string): T | null {
  if (result.ok) {
    patchOp({ state: 'done', cancel: null, stopWaiting: null, deadline: null });
    notify('success', success);
    return result.value;
  }
  const cancelled = result.error.code === 'cancelled';
  patchOp({ state: cancelled ? 'cancelled' : 'failed', error: result.error.message, cancel: null, stopWaiting: null, deadline: null });
  if (!cancelled) notify('error', result.error.message);
  return null;
}

export const isRunning = () => useCluster.getState().op?.state === 'running';

/** Validates (main does it again) and deploys the open lab to its dev namespace. */
export async function deployToDev(): Promise<void> {
  if (isRunning()) return notify('info', 'an operation is already running');
  const { doc, issues } = useEditor.getState();
  if (issues.length > 0) return notify('error', `fix the ${issues.length} problem${issues.length === 1 ? '' : 's'} in the lab before deploying`);
  const lab = doc.lab;
  startOp('deploy', `Deploy ${lab.metadata.name} to dev`);
  useCluster.setState({ problems: [], holding: {} });
  watchDev(lab.metadata.name);
  let last: NodeStatus[] = [];
  let stopped = false;
  const sub = subscribe('dev.deploy', { context: context(), lab, timeoutSeconds: DEPLOY_TIMEOUT_S }, (e) => {
    if (e.type === 'phase') patchOp({ phase: e.message, ...(e.phase === 'wait' ? { deadline: Date.now() + DEPLOY_TIMEOUT_S * 1000, stopWaiting } : {}) });
    else if (e.type === 'applied') patchOp({ done: e.done, total: e.total });
    else {
      last = e.statuses;
      useCluster.setState((s) => ({ dev: { ...s.dev, statuses: Object.fromEntries(e.statuses.map((x) => [x.node, x])) } }));
    }
  });
  // Everything is written by then: stopping the wait ends the deploy with what the nodes show now.
  const stopWaiting = () => {
    stopped = true;
    sub.cancel();
  };
  patchOp({ cancel: sub.cancel });
  const r = await sub.result;
  if (r.ok && r.value.problems.length > 0) {
    useCluster.setState({ problems: r.value.problems });
    patchOp({ state: 'failed', error: `${r.value.problems.length} refusal${r.value.problems.length === 1 ? '' : 's'} before any write: see Problems`, cancel: null, stopWaiting: null });
    return notify('error', 'the cluster refused the lab before anything was written; see Problems');
  }
  const statuses = r.ok ? r.value.statuses : stopped ? last : null;
  if (statuses && (stopped || (r.ok && !r.value.ready))) {
    // The deploy ends with a verdict: how many nodes are ready, and which hold it back and why.
    const held = statuses.filter((x) => !x.ready);
    useCluster.setState({ holding: Object.fromEntries(held.map((x) => [x.node, holdReason(x)])) });
    const timedOut = held.some((x) => x.state !== 'failed');
    const verdict = `${stopped ? 'Stopped waiting' : timedOut ? `Gave up after ${Math.round(DEPLOY_TIMEOUT_S / 60)} min` : 'Not every node started'}: ${deployVerdict(statuses)}`;
    patchOp({ state: 'failed', error: verdict, cancel: null, stopWaiting: null, deadline: null });
    return;
  }
  endOp(r, `deployed to ${r.ok ? r.value.namespace : 'dev'}`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Deletes the open lab's dev namespace after a confirmation that says what goes with it, as the
 * engine found it (a dry run): the running pods and, by name, the volumes whose data is lost.
 */
export async function deleteDevNamespace(): Promise<void> {
  if (isRunning()) return notify('info', 'an operation is already running');
  const labName = useEditor.getState().doc.lab.metadata.name;
  const dry = await subscribe('dev.delete', { context: context(), labName, dryRun: true }, () => undefined).result;
  if (!dry.ok) return notify(dry.error.code === 'not_found' ? 'info' : 'error', dry.error.message);
  const { namespace, pods, volumes } = dry.value;
  const data = volumes.length ? `the data in ${plural(volumes.length, 'volume')} (${volumes.join(', ')}) is lost for good` : 'it has no volumes, so no data is kept there';
  const ok = await confirmDialog(
    `Delete ${namespace}?`,
    `Everything deployed for ${labName} goes: ${plural(pods, 'running pod')} stop and ${data}. Releases stay, and a new deploy starts from scratch.`,
    'Delete dev namespace',
  );
  if (!ok) return;
  startOp('undeploy', `Delete ${namespace}`);
  const sub = subscribe('dev.delete', { context: context(), labName }, (e) => patchOp({ phase: e.message }));
  patchOp({ cancel: sub.cancel });
  const r = await sub.result;
  if (r.ok && !r.value.gone) {
    patchOp({ state: 'failed', error: `${namespace} is still terminating; look at its finalizers`, cancel: null });
    return;
  }
  if (endOp(r, `deleted ${namespace}`)) useCluster.setState((s) => ({ dev: { ...s.dev, statuses: {}, deployed: null } }));
}

let devWatch: { key: string; sub: Subscription<unknown> } | null = null;

/** Keeps the dev namespace's node states live for the open lab (one stream, shared by all views). */
export function watchDev(labName: string): void {
  const key = `${context() ?? ''}/${labName}`;
  if (devWatch?.key === key) return;
  devWatch?.sub.cancel();
  useCluster.setState({ dev: { labName, statuses: {}, deployed: null, error: null } });
  const sub = subscribe('dev.watch', { context: context(), labName }, (e) =>
    useCluster.setState((s) => ({
      dev: { ...s.dev, statuses: Object.fromEntries(e.statuses.map((x) => [x.node, x])), deployed: (e.deployed?.lab ?? null) as typeof s.dev.deployed, error: null },
    })),
  );
  devWatch = { key, sub };
  void sub.result.then((r) => {
    if (devWatch?.sub !== sub) return;
    devWatch = null;
    if (!r.ok && r.error.code !== 'cancelled') useCluster.setState((s) => ({ dev: { ...s.dev, error: r.error.message } }));
  });
}

export function stopDevWatch(): void {
  devWatch?.sub.cancel();
  devWatch = null;
}

export async function loadReleases(labName?: string): Promise<void> {
  const r = await invoke('release.list', { context: context(), ...(labName ? { labName } : {}) });
  if (r.ok) useCluster.setState({ releases: r.value.releases, nextTag: r.value.nextTag, releasesError: null });
  else useCluster.setState({ releasesError: r.error.message });
}

/** Returns the refusal (its message, and the way out it names), or null when the release was made. */
export async function snapshotDev(tag: string, note: string, force = false): Promise<{ message: string; hint?: 'force' } | null> {
  const labName = useEditor.getState().doc.lab.metadata.name;
  const r = await invoke('release.snapshot', { context: context(), labName, tag, note, force });
  if (!r.ok) return { message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) };
  notify('success', `release ${labName}@${tag} stored`);
  await loadReleases(labName);
  return null;
}

export async function showDiff(labName: string, from: string, to: string): Promise<void> {
  const r = await invoke('release.diff', { context: context(), labName, from, to });
  if (r.ok) useCluster.setState({ diff: r.value });
  else notify('error', r.error.message);
}

export const clearDiff = () => useCluster.setState({ diff: null });

export type PublishRequest = Request<'class.publish'>;

export function planPublish(req: PublishRequest) {
  return invoke('class.plan', { ...req, context: context() });
}

export async function publishClass(req: PublishRequest): Promise<boolean> {
  if (isRunning()) {
    notify('info', 'an operation is already running');
    return false;
  }
  startOp('publish', `Publish ${req.labName}@${req.tag} to ${req.className}`);
  const sub = subscribe('class.publish', { ...req, context: context() }, (e) => {
    if (e.type === 'phase') patchOp({ phase: e.message });
    else if (e.type === 'start') patchOp({ total: e.total, phase: `writing ${e.total} student namespaces` });
    else {
      const op = useCluster.getState().op;
      patchOp({ done: e.done, total: e.total, students: { ...(op?.students ?? {}), [e.result.student]: e.result } });
    }
  });
  patchOp({ cancel: sub.cancel });
  const r = await sub.result;
  const v = endOp(r, `published ${req.labName}@${req.tag} to class ${req.className}`);
  if (!v) return false;
  const failed = v.results.filter((x) => x.status === 'failed');
  if (failed.length) notify('error', `${failed.length} student${failed.length === 1 ? '' : 's'} failed; publish again to retry them`);
  return true;
}

let classWatch: { name: string; sub: Subscription<unknown> } | null = null;

export function watchClass(name: string): void {
  if (classWatch?.name === name) return;
  classWatch?.sub.cancel();
  useCluster.setState({ klass: { name, labNodes: [], rows: [], updatedAt: 0, error: null } });
  const sub = subscribe('class.watch', { context: context(), className: name }, (e) =>
    useCluster.setState({ klass: { name, labNodes: e.labNodes, rows: e.rows, updatedAt: performance.now(), error: e.unreachable?.length ? e.unreachable.map((u) => `zone ${u.zone} cannot be reached (${u.error}); its students are not shown`).join('; ') : null } }),
  );
  classWatch = { name, sub };
  void sub.result.then((r) => {
    if (classWatch?.sub !== sub) return;
    classWatch = null;
    if (!r.ok && r.error.code !== 'cancelled') useCluster.setState((s) => ({ klass: s.klass ? { ...s.klass, error: r.error.message } : null }));
  });
}

export async function loadClasses(): Promise<void> {
  const r = await invoke('class.list', { context: context() });
  if (r.ok) useCluster.setState({ classes: r.value.classes });
  else notify('error', r.error.message);
}

export async function resetStudent(className: string, student: string): Promise<void> {
  if (isRunning()) return notify('info', 'an operation is already running');
  startOp('reset', `Reset ${student}`);
  const sub = subscribe('class.reset', { context: context(), className, student }, (e) => patchOp({ phase: e.message }));
  patchOp({ cancel: sub.cancel });
  endOp(await sub.result, `${student} is back to the release`);
}

/**
 * Suspends or resumes the labs of `students` (one row's action, or the selection). Students
 * already as asked are left alone; failures are named in the notice, the rest go ahead.
 */
export async function suspendOrResume(className: string, students: string[], mode: 'suspend' | 'resume'): Promise<boolean> {
  if (isRunning()) {
    notify('info', 'an operation is already running');
    return false;
  }
  if (students.length === 0) return false;
  const who = students.length === 1 ? students[0]! : `${students.length} students`;
  startOp(mode, `${mode === 'suspend' ? 'Suspend' : 'Resume'} ${who}`);
  const channel = mode === 'suspend' ? 'class.suspend' : 'class.resume';
  const sub = subscribe(channel, { context: context(), className, students }, (e) => patchOp({ phase: e.message }));
  patchOp({ cancel: sub.cancel });
  const r = await sub.result;
  const done = r.ok ? r.value.results.filter((x) => x.status !== 'failed') : [];
  const changed = done.filter((x) => x.status !== 'unchanged').length;
  const verb = mode === 'suspend' ? 'suspended' : 'resumed';
  // "student-01 suspended", "3 of 4 students resumed (1 already was)": what this call changed.
  const success = students.length === 1 ? (changed ? `${who} ${verb}` : `${who} was already ${mode === 'suspend' ? 'suspended' : 'running'}`) : `${changed} of ${who} ${verb}${done.length > changed ? ` (${done.length - changed} already ${mode === 'suspend' ? 'were' : 'ran'})` : ''}`;
  const v = endOp(r, success);
  if (!v) return false;
  const failed = v.results.filter((x) => x.status === 'failed');
  if (failed.length) notify('error', `${failed.length} could not be ${mode === 'suspend' ? 'suspended' : 'resumed'}: ${failed.map((x) => `${x.student}: ${x.error ?? 'failed'}`).join('; ')}`);
  return true;
}

export async function teardownClass(className: string, confirm: string): Promise<boolean> {
  if (isRunning()) {
    notify('info', 'an operation is already running');
    return false;
  }
  startOp('teardown', `Tear down ${className}`);
  const sub = subscribe('class.teardown', { context: context(), className, confirm }, (e) => patchOp({ phase: e.message }));
  patchOp({ cancel: sub.cancel });
  const v = endOp(await sub.result, `class ${className} torn down`);
  if (v?.stuck.length) notify('error', `${v.stuck.length} namespaces are still terminating`);
  return v !== null;
}

/** Fetches a student's scoped kubeconfig and hands it to the browser as a download. */
export async function downloadCredentials(className: string, student: string, hours = 24): Promise<void> {
  const r = await invoke('class.credentials', { context: context(), className, student, hours });
  if (!r.ok) return notify('error', r.error.message);
  const blob = new Blob([r.value.kubeconfig], { type: 'application/yaml' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${className}-${student}.kubeconfig`;
  a.click();
  URL.revokeObjectURL(a.href);
  notify('success', `kubeconfig for ${student} (expires ${new Date(r.value.expiresAt).toLocaleString()})`);
}
