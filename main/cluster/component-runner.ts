// Starting one component of the local cluster and waiting until its health checks pass: shared by
// the control plane (up.ts) and the real node (node/start.ts). A component already running with
// the same command line is only health-checked; one whose command line changed is restarted.
import type { ComponentName, ComponentSpec } from './components';
import { probe } from './net';
import type { Layout } from './paths';
import { childEnv, isOurs, sleep, spawnDetached, stopProcess, tailFile, type ProcessRecord } from './process';
import { forgetProcess, logFile, recordProcess, type ClusterState } from './state';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** Polls a component's health checks until all pass; fails fast if the process exits. */
export async function waitReady(spec: ComponentSpec, rec: ProcessRecord, exited: Promise<Exit> | undefined, timeoutMs: number) {
  let exit: Exit | undefined;
  void exited?.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (exit || !isOurs(rec)) {
      const how = exit ? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`) : 'it is gone';
      throw new Error(`${spec.name} (pid ${rec.pid}) died during startup (${how}); last log lines from ${rec.logFile}:\n${await tailFile(rec.logFile)}`);
    }
    const results = await Promise.all(spec.checks.map((c) => probe(c.url, c.tls)));
    if (results.every((r) => r.ok)) return;
    last = results.map((r, i) => `${spec.checks[i]?.name}: ${r.ok ? 'ok' : r.error ?? `HTTP ${r.status} ${r.body?.slice(-300) ?? ''}`}`).join('; ');
    if (Date.now() > deadline) {
      throw new Error(`${spec.name} (pid ${rec.pid}) not ready after ${timeoutMs / 1000}s (${last}); log: ${rec.logFile}\n${await tailFile(rec.logFile)}`);
    }
    await sleep(200);
  }
}

/** Makes sure one component runs with `spec` and is healthy; true when this call started it. */
export async function ensureComponent(
  l: Layout,
  state: ClusterState,
  name: ComponentName,
  spec: ComponentSpec,
  timeouts: { start: number; running: number },
  log: (line: string) => void,
): Promise<boolean> {
  let rec = state.components[name];
  if (rec && isOurs(rec) && (rec.command !== spec.command || rec.args.join('\0') !== spec.args.join('\0'))) {
    log(`${name}: command line changed; restarting it`);
    await stopProcess(rec, name === 'etcd' ? 10_000 : 3000);
    await forgetProcess(l, state, name);
    rec = undefined;
  }
  if (rec && isOurs(rec)) {
    await waitReady(spec, rec, undefined, timeouts.running);
    return false;
  }
  if (rec) await forgetProcess(l, state, name);
  log(`starting ${name}${spec.port ? ` (port ${spec.port})` : ''}`);
  const { record, exited } = spawnDetached(spec.command, spec.args, logFile(l, name), { env: childEnv(spec.env) });
  await recordProcess(l, state, name, record);
  await waitReady(spec, record, exited, timeouts.start);
  return true;
}
