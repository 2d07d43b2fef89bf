/**
 * `npm run bench:memory`: the peak resident memory of the two long-running faces of Labforge
 * during a large publish, on the local control plane:
 *   - the CLI: `labforge publish <lab>@v1 --class C --students N --force`, as an instructor runs it;
 *   - `labforge ui`: the browser-mode server, asked to publish the same class through its API
 *     (class.publish over the page's WebSocket, with its progress events), as the app does.
 * The peak is the kernel's high-water mark of resident memory (VmHWM in /proc/<pid>/status),
 * read every 50 ms until the process ends (CLI) or after the publish and a settle (ui), so no
 * short peak between samples is missed. Baselines from the same run: the CLI's `--help` and
 * the ui idle before the publish. Every class is torn down (and waited for) afterwards.
 *
 * Options (env): BENCH_LAB=routing-lab  BENCH_STUDENTS=200
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { API_PROTOCOL, MAX_API_MESSAGE_BYTES, PAGE_KEY_PROTOCOL_PREFIX } from '../common/browser/session';
import { parseLab } from '../common/lab';
import { clusterUp } from '../main/cluster';
import { deploy } from '../main/engine/deploy';
import { classNamespaces, waitNamespacesGone } from '../main/engine/publish';
import { getRelease, snapshot } from '../main/engine/releases';
import type { Cluster } from '../main/kube/cluster';
import { connect } from '../main/kube/http-cluster';
import { NAMESPACE } from '../main/kube/kinds';
import { mapLimit } from '../main/kube/retry';
import { signIn, startUiProcess } from '../test/helpers/ui-process';
import { runHeader, writeBenchBlock } from './bench-report';

const root = join(import.meta.dirname, '..');
const labName = process.env['BENCH_LAB'] ?? 'routing-lab';
const students = Number(process.env['BENCH_STUDENTS'] ?? 200);
const run = randomBytes(2).toString('hex');
const bin = join(root, 'bin/labforge.mjs');

/** VmRSS and VmHWM (peak) of a process, in MiB; undefined once it is gone. */
function memory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Runs a command to its end, sampling its peak RSS; the last sample before exit is its peak. */
function peakOf(args: string[], env: NodeJS.ProcessEnv): Promise<{ peak: number; ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    let peak = 0;
    const sample = () => {
      const m = child.pid ? memory(child.pid) : undefined;
      if (m && Number.isFinite(m.peak)) peak = Math.max(peak, m.peak);
    };
    const timer = setInterval(sample, 50);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      resolve({ peak, ms: performance.now() - t, code, stderr });
    });
  });
}

async function cleanup(client: Cluster, className: string): Promise<void> {
  const names = (await classNamespaces(client, className)).map((n) => n.metadata!.name!);
  await mapLimit(names, 16, (name) => client.delete(NAMESPACE, name).catch(() => undefined));
  const left = await waitNamespacesGone(client, names, 600_000);
  if (left.length) throw new Error(`${left.length} namespaces of ${className} are still terminating`);
}

/** Starts `labforge ui` and signs in as the page does: link → cookie and page key. */
async function startUi(workspace: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; open: () => Promise<WebSocket> }> {
  const ui = await startUiProcess({ workspace, env });
  const { cookie, pageKey } = await signIn(ui.link);
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api`, [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}`], { headers: { Cookie: cookie }, origin: ui.origin, maxPayload: 2 * MAX_API_MESSAGE_BYTES });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  return { child: ui.child, open };
}

/** One API call; progress events are counted, the result resolves it. */
function call(ws: WebSocket, id: number, channel: string, req: unknown, stream = false): Promise<{ result: { ok: boolean; value?: unknown; error?: { message: string } }; events: number }> {
  let events = 0;
  return new Promise((resolve, reject) => {
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: { ok: boolean } };
      if (msg.id !== id) return;
      if (msg.result === undefined) {
        events++;
        return;
      }
      ws.off('message', onMsg);
      resolve({ result: msg.result, events });
    };
    ws.on('message', onMsg);
    ws.once('close', (code) => reject(new Error(`API socket closed ${code}`)));
    ws.send(JSON.stringify({ id, channel, request: req, ...(stream ? { subscribe: true } : {}) }));
  });
}

async function main(): Promise<void> {
  const nodes = Math.max(4, Math.ceil((students * 4 * 1.2) / 110));
  const { kubeconfig } = await clusterUp({ nodes, log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  const client = connect({ kubeconfig });
  const env = { ...process.env, KUBECONFIG: kubeconfig };

  const parsed = parseLab(readFileSync(join(root, `resources/examples/${labName}.yaml`), 'utf8'));
  if (!parsed.ok) throw new Error(`${labName}.yaml is invalid`);
  const lab = parsed.lab;
  lab.metadata.name = `bench-${labName}`;
  try {
    await getRelease(client, lab.metadata.name, 'v1');
  } catch {
    await deploy(client, lab, { timeoutMs: 120_000 });
    await snapshot(client, 'v1', { fileLab: lab });
  }
  console.log(`lab ${labName} as ${lab.metadata.name}@v1, ${students} students; node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${new Date().toISOString()}\n`);

  // The CLI: --help as the floor, then the publish.
  const help = await peakOf([bin, '--help'], env);
  const cliClass = `mc${run}`;
  const cli = await peakOf([bin, 'publish', `${lab.metadata.name}@v1`, '--class', cliClass, '--students', String(students), '--force'], env);
  if (cli.code !== 0) throw new Error(`labforge publish exited with ${cli.code}:\n${cli.stderr}`);
  const cliNamespaces = (await classNamespaces(client, cliClass)).length;
  console.log(`CLI: --help peak ${help.peak.toFixed(0)} MiB; publish of ${cliNamespaces} namespaces in ${(cli.ms / 1000).toFixed(1)} s, peak ${cli.peak.toFixed(0)} MiB`);
  await cleanup(client, cliClass);

  // labforge ui: idle after sign-in, then a publish through its API.
  const workspace = mkdtempSync(join(tmpdir(), 'lf-bench-memory-'));
  writeFileSync(join(workspace, 'lab.yaml'), readFileSync(join(root, `resources/examples/${labName}.yaml`), 'utf8'));
  const ui = await startUi(workspace, env);
  const uiClass = `mu${run}`;
  try {
    const ws = await ui.open();
    const info = await call(ws, 1, 'app.info', {});
    if (!info.result.ok) throw new Error(`app.info: ${JSON.stringify(info.result)}`);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = memory(ui.child.pid!)!;
    const t = performance.now();
    const pub = await call(ws, 2, 'class.publish', { context: null, labName: lab.metadata.name, tag: 'v1', className: uiClass, students: { count: students }, force: true, prune: false }, true);
    const ms = performance.now() - t;
    if (!pub.result.ok) throw new Error(`class.publish: ${JSON.stringify(pub.result.error)}`);
    const after = memory(ui.child.pid!)!;
    await new Promise((r) => setTimeout(r, 5000));
    const settled = memory(ui.child.pid!)!;
    ws.close();
    const uiNamespaces = (await classNamespaces(client, uiClass)).length;
    console.log(`labforge ui: idle ${idle.rss.toFixed(0)} MiB (peak so far ${idle.peak.toFixed(0)} MiB); publish of ${uiNamespaces} namespaces in ${(ms / 1000).toFixed(1)} s with ${pub.events} progress events, peak ${after.peak.toFixed(0)} MiB, ${settled.rss.toFixed(0)} MiB resident 5 s later`);
    const table = [
      `| process | baseline | peak RSS during a ${students}-student publish | publish time |`,
      '|---|---|---|---|',
      `| labforge CLI | ${help.peak.toFixed(0)} MiB (\`--help\`, same run) | ${cli.peak.toFixed(0)} MiB | ${(cli.ms / 1000).toFixed(1)} s (whole process) |`,
      `| labforge ui | ${idle.rss.toFixed(0)} MiB (idle, signed in) | ${after.peak.toFixed(0)} MiB | ${(ms / 1000).toFixed(1)} s (the \`class.publish\` call, ${pub.events} progress events) |`,
    ].join('\n');
    console.log(`\n${table}`);
    writeBenchBlock('## Memory', 'bench:memory', `${runHeader(`BENCH_LAB=${labName} BENCH_STUDENTS=${students} npm run bench:memory`)}\n\n${table}\n\nThe ui was at ${settled.rss.toFixed(0)} MiB resident 5 s after the publish.`);
  } finally {
    ui.child.kill('SIGTERM');
    await cleanup(client, uiClass).catch((err: unknown) => console.error(err));
    rmSync(workspace, { recursive: true, force: true });
    client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
