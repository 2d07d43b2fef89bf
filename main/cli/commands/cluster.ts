// `labforge cluster ...`: a thin wrapper over main/cluster (the local control plane), which the
// actions import; the declarations below stay light so `labforge --help` does not load it.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClusterStatusResult, ForwardRule } from '../../cluster';
import { collect, positiveInt, shown } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';

const STATE_DIR_HELP = 'state directory (default: $LABFORGE_CLUSTER_DIR or <repo>/.labforge/cluster)';
const NAME_HELP = 'a named cluster beside the default one, e.g. a second zone (state in <repo>/.labforge/cluster-<name>)';

function clusterName(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(value)) throw new UsageError(`--name must be a short DNS label such as "zone-b"; got ${shown(value)}`);
  return value;
}

/** --state-dir wins; --name picks a named cluster's state directory. */
async function stateDirOf(o: { stateDir?: string; name?: string }): Promise<string | undefined> {
  if (o.stateDir !== undefined || o.name === undefined) return o.stateDir;
  return (await import('../../cluster/paths')).namedStateDir(o.name);
}

/** Checks a flag value with main/cluster's own parser; its message becomes a usage error (exit 2). */
function checked<T>(flag: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

function placementOf(value: string): 'real' | 'simulated' {
  if (value !== 'real' && value !== 'simulated') throw new UsageError(`--placement must be real or simulated; got ${shown(value)}`);
  return value;
}

export const clusterCommands: CommandModule = (program: Command, io: CliIO) => {
  const cluster = program
    .command('cluster')
    .description('Run the local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok fake nodes) used by the demo and the integration tests.')
    .addHelpText('after', `
The binaries are built from pinned Go modules by main/cluster/go/build.sh (cached; set
LABFORGE_CLUSTER_BIN to use a prebuilt bin directory). Everything runs on 127.0.0.1 with free
ports; pids, logs, certificates, etcd data and the admin kubeconfig live in the state directory.`);

  cluster
    .command('up')
    .description('Start the cluster, or repair it if a component died; returns quickly when it is already up and healthy.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--name <name>', NAME_HELP, clusterName)
    .option('--nodes <n>', 'number of fake (kwok) nodes (default 4; kept from the last up; at most 1000)', positiveInt('--nodes', 1000))
    .option('--node-cpu <quantity>', 'CPU capacity of each node (default 32)')
    .option('--node-memory <quantity>', 'memory capacity of each node (default 128Gi)')
    .option('--node-pods <n>', 'pod capacity of each node (default 110; at most 10000)', positiveInt('--node-pods'))
    .option('--vnc <host:port>', 'where `kubectl port-forward <pod> 5900` connects (default 127.0.0.1:5900)')
    .option('--forward <podPort=host:port>', 'forward another pod port to a local address, e.g. 8080=127.0.0.1:18080 (repeatable; replaces the saved set)', collect)
    .option('--clear-forwards', 'drop the saved --forward rules (the VNC forward stays)')
    .option('--real-node', 'run the real node (containerd, kubelet, kube-proxy, CoreDNS, policy enforcement, a local registry); needs root; default for the unnamed cluster')
    .option('--no-real-node', 'kwok nodes only: nothing in a pod runs')
    .option('--placement <kind>', 'where pods of namespaces that do not choose run: real (default) or simulated (kwok, for classes of hundreds); a namespace chooses with scheduler.alpha.kubernetes.io annotations (docs/cluster.md)', placementOf)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  labforge cluster up
  labforge cluster up --placement simulated      # benchmarks with hundreds of students
  labforge cluster up --nodes 2 --node-cpu 8 --node-memory 32Gi
  labforge cluster up --vnc 127.0.0.1:5901 --forward 8080=127.0.0.1:18080`)
    .action(async (o: {
      stateDir?: string; name?: string; nodes?: number; nodeCpu?: string; nodeMemory?: string; nodePods?: number;
      vnc?: string; forward?: string[]; clearForwards?: boolean; json?: boolean; realNode?: boolean; placement?: 'real' | 'simulated';
    }) => {
      const { clusterUp, formatForward, isCpuQuantity, isMemoryQuantity, parseForward, parseTarget } = await import('../../cluster');
      const quantity = (test: (v: string) => boolean, what: string) => (v: string) => {
        if (!test(v)) throw new Error(`expected ${what}; got "${v}"`);
        return v;
      };
      if (o.nodeCpu !== undefined) checked('--node-cpu', o.nodeCpu, quantity(isCpuQuantity, 'a CPU quantity such as 32 or 500m'));
      if (o.nodeMemory !== undefined) checked('--node-memory', o.nodeMemory, quantity(isMemoryQuantity, 'a memory quantity such as 128Gi'));
      if (o.vnc !== undefined) checked('--vnc', o.vnc, parseTarget);
      const forwards: ForwardRule[] | undefined = o.forward?.map((f) => checked('--forward', f, parseForward));
      let r;
      try {
        r = await clusterUp({
          stateDir: await stateDirOf(o),
          nodes: o.nodes,
          nodeCpu: o.nodeCpu,
          nodeMemory: o.nodeMemory,
          nodePods: o.nodePods,
          vnc: o.vnc,
          forwards: o.clearForwards ? [...(forwards ?? [])] : forwards,
          realNode: o.realNode,
          placement: o.placement,
          log: (line) => io.stderr(`${line}\n`),
        });
      } catch (err) {
        throw new CommandFailure(`cluster up failed: ${(err as Error).message}\n(see \`labforge cluster status\` and the logs in the state directory)`);
      }
      if (o.json) return io.stdout(JSON.stringify(r, null, 2) + '\n');
      io.stdout(
        `${r.alreadyRunning ? 'cluster already running' : `cluster ready in ${(r.durationMs / 1000).toFixed(1)}s (started: ${r.started.join(', ')})`}\n` +
          `  server:     ${r.server}\n` +
          `  kubeconfig: ${r.kubeconfig}\n` +
          `  nodes:      ${r.realNode ? `${r.realNode} (real), ` : ''}${r.nodes.join(', ')} (simulated)\n` +
          `  placement:  pods run on ${r.placement === 'real' && r.realNode ? 'the real node' : "kwok's simulated nodes"} unless their namespace chooses\n` +
          `  forwards:   5900=${r.vnc} (VNC)${r.forwards.map((f) => `, ${formatForward(f)}`).join('')}\n` +
          `  use it:     export KUBECONFIG=${r.kubeconfig}\n`,
      );
    });

  cluster
    .command('down')
    .description('Stop the processes `up` started (pids verified against /proc), archive their logs, and remove the state directory.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--name <name>', NAME_HELP, clusterName)
    .option('--json', 'print the result as JSON')
    .action(async (o: { stateDir?: string; name?: string; json?: boolean }) => {
      const { clusterDown } = await import('../../cluster');
      const r = await clusterDown({ stateDir: await stateDirOf(o) });
      if (o.json) return io.stdout(JSON.stringify(r, null, 2) + '\n');
      if (!r.existed) return io.stdout(`no cluster at ${r.stateDir}\n`);
      for (const s of r.stopped) io.stdout(`stopped ${s.name} (pid ${s.pid})\n`);
      for (const s of r.notRunning) io.stdout(`${s.name} (pid ${s.pid}) was not running\n`);
      if (r.logsArchivedTo) io.stdout(`logs kept in ${r.logsArchivedTo}\n`);
      io.stdout(`removed ${r.stateDir}\n`);
    });

  cluster
    .command('status')
    .description('Show each component (pid, port, alive/dead, health) and the nodes; exits 1 if the cluster is absent or a component is dead or unhealthy.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--name <name>', NAME_HELP, clusterName)
    .option('--json', 'print the result as JSON')
    .action(async (o: { stateDir?: string; name?: string; json?: boolean }) => {
      // The status module alone: the package index would also load `up` and everything it writes with.
      const [{ clusterStatus }, { formatForward }] = await Promise.all([import('../../cluster/status'), import('../../cluster/manifests')]);
      const r = await clusterStatus({ stateDir: await stateDirOf(o) });
      io.stdout(o.json ? JSON.stringify(r, null, 2) + '\n' : formatStatus(r, formatForward));
      if (r.state === 'absent') throw new CommandFailure(`no cluster at ${r.stateDir} (run labforge cluster up)`);
      if (r.state === 'degraded') {
        const bad = r.components.filter((c) => !c.ready).map((c) => `${c.name} ${c.alive ? 'unhealthy' : 'dead'}`);
        throw new CommandFailure(`cluster degraded${bad.length ? `: ${bad.join(', ')}` : ' (nodes not ready)'}; \`labforge cluster up\` restarts what is needed`);
      }
    });

  cluster
    .command('images')
    .description("Build local stand-ins for the images labs name (from Debian packages; this machine reaches no container registry) and push them to the local cluster's registry.")
    .argument('[image...]', 'images to build, e.g. nginx:1.27 postgres:16 (see --list)')
    .option('--all', 'every image that has a recipe')
    .option('--list', 'list the images that can be built and whether each is built')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--name <name>', NAME_HELP, clusterName)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
The images are stand-ins assembled with mmdebstrap from Debian packages, not the public images of
the same name (docs/cluster.md lists what each one is). Built layers are cached outside git and
pushed again by every \`cluster up\`.

Examples:
  labforge cluster images nginx:1.27 postgres:16 alpine:3.20
  labforge cluster images --list`)
    .action(async (images: string[], o: { all?: boolean; list?: boolean; stateDir?: string; name?: string; json?: boolean }) => {
      const mod = await import('../../cluster/cluster-images');
      if (o.list) {
        const rows = mod.listImageRecipes();
        if (o.json) return io.stdout(JSON.stringify(rows, null, 2) + '\n');
        for (const r of rows) io.stdout(`${r.refs.join(', ')}\n    ${r.standsInFor}\n`);
        return;
      }
      if (!o.all && images.length === 0) throw new UsageError('name the images to build (e.g. nginx:1.27), or --all; --list shows what can be built');
      let r;
      try {
        r = await mod.clusterImages({ stateDir: await stateDirOf(o), refs: images, all: o.all, log: (line) => io.stderr(`${line}\n`) });
      } catch (err) {
        throw new CommandFailure((err as Error).message);
      }
      if (o.json) return io.stdout(JSON.stringify(r, null, 2) + '\n');
      for (const i of r.images) io.stdout(`${i.ref}${i.digest ? `  ${i.digest}` : '  (cached; pushed by the next cluster up)'}\n`);
    });

  cluster
    .command('kubeconfig')
    .description('Print the path of the admin kubeconfig (client certificate in system:masters), or its content with --print.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--name <name>', NAME_HELP, clusterName)
    .option('--print', 'print the kubeconfig content instead of its path')
    .addHelpText('after', '\nExample:\n  export KUBECONFIG=$(labforge cluster kubeconfig)')
    .action(async (o: { stateDir?: string; name?: string; print?: boolean }) => {
      const { kubeconfigPath } = await import('../../cluster');
      const k = kubeconfigPath({ stateDir: await stateDirOf(o) });
      if (!k.exists) throw new CommandFailure(`no kubeconfig at ${k.path} (run labforge cluster up)`);
      io.stdout(o.print ? readFileSync(k.path, 'utf8') : `${k.path}\n`);
    });
};

function formatStatus(r: ClusterStatusResult, formatForward: (f: ForwardRule) => string): string {
  if (r.state === 'absent') return `cluster: absent (${r.stateDir})\n`;
  const rows = [['COMPONENT', 'PID', 'PORT', 'PROCESS', 'HEALTH']];
  for (const c of r.components) {
    const health = !c.alive ? '-' : c.checks.map((k) => `${k.name}:${k.ok ? 'ok' : k.detail ?? 'fail'}`).join(' ');
    rows.push([c.name, String(c.pid ?? '-'), String(c.port ?? '-'), c.alive ? 'alive' : 'DEAD', health]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  let out = `cluster: ${r.state} (${r.stateDir})\nserver: ${r.server}\nkubeconfig: ${r.kubeconfig}\n\n`;
  out += rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
  out += `\nnodes: ${r.nodes.length ? r.nodes.map((n) => `${n.name}${n.kind === 'real' ? ' (real)' : ''}${n.ready ? '' : ' (NotReady)'}`).join(', ') : '-'}\n`;
  if (r.placement) out += `placement: ${r.placement}\n`;
  out += `forwards: 5900=${r.vnc} (VNC)${r.forwards.map((f) => `, ${formatForward(f)}`).join('')}\n`;
  for (const c of r.components.filter((x) => !x.alive)) {
    out += `\n${c.name} is dead (was pid ${c.pid ?? '?'}); last lines of ${c.logFile}:\n${c.logTail || '(empty log)'}\n`;
  }
  return out;
}
