/**
 * `labforge gateway --class C [--listen ADDR:PORT]`: the class's SSH gateway (main/gateway), and
 * `labforge gateway manifests --class C`, what runs it inside the cluster. The gateway, ssh2
 * and the Kubernetes client load inside the actions (see ./index.ts).
 */
import { Option, type Command } from 'commander';
import { durationArg, positiveInt, shown } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { DEFAULT_IMAGE } from '../args';
import { classCommand, engine, type ConnOpts } from '../engine-command';

interface GatewayOpts extends ConnOpts {
  class: string;
  listen: { host: string; port: number };
  wipeOnDisconnect?: 'keep-volumes' | 'drop-volumes';
  /** Commander's --no-resume: false when given. */
  resume: boolean;
  idleTimeout?: number;
  maxSessions?: number;
}

/**
 * Where the gateway listens unless told: this machine only. Opening it to the network is a
 * choice the instructor makes with `--listen 0.0.0.0:PORT` (the same default as
 * main/gateway/server.ts, which the CLI does not load before the action runs).
 */
const LOOPBACK = '127.0.0.1';

/** `ADDR:PORT`, `:PORT` or `PORT` (the last two on loopback); IPv6 in brackets. */
export function listenArg(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65_535)) throw new UsageError(`--listen must be ADDR:PORT (e.g. 0.0.0.0:2222 for every interface, 127.0.0.1:2222 or :2222 for this machine only); got ${shown(value)}`);
  return { host: m[1] || m[2] || LOOPBACK, port };
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(host);

/** The line said on stderr at start: who can reach the gateway, and why. */
export function reachNotice(listen: { host: string; port: number }, clusterServer: string | undefined): string {
  let serverHost = '';
  try {
    serverHost = clusterServer ? new URL(clusterServer).hostname.replace(/^\[|\]$/g, '') : '';
  } catch {
    // Not a URL: then it is not known to be the local cluster.
  }
  const localCluster = isLoopback(serverHost);
  if (!isLoopback(listen.host)) return `listening on ${listen.host}:${listen.port}: students on other machines can reach this gateway${localCluster ? ' (the cluster is the local one on this machine)' : ''}\n`;
  const open = `pass --listen 0.0.0.0:${listen.port} to let students on other machines in`;
  return localCluster
    ? `listening on ${listen.host}:${listen.port}, this machine only: the cluster is the local one (${clusterServer}), so its labs are on this machine too; ${open}\n`
    : `listening on ${listen.host}:${listen.port}, this machine only; ${open}\n`;
}

export const gatewayCommands: CommandModule = (program: Command, io: CliIO) => {
  const gateway = classCommand(program, 'gateway', "Run the class's SSH gateway: students log in with `ssh -p PORT STUDENT[+NODE]@HOST` using a key added with `labforge keys add`.")
    .addOption(new Option('--listen <addr:port>', 'where to listen (0.0.0.0:PORT for every interface)').argParser(listenArg).default({ host: LOOPBACK, port: 2222 }, `${LOOPBACK}:2222, this machine only`))
    .addOption(new Option('--wipe-on-disconnect <volumes>', "reset a student's namespace to the release when their last session ends, keeping or dropping volumes (off by default)").choices(['keep-volumes', 'drop-volumes']))
    .option('--idle-timeout <duration>', 'close connections idle this long (default 30m)', durationArg('--idle-timeout', 10, 7 * 86_400))
    .option('--max-sessions <n>', 'sessions one student may have open at once (default 8)', positiveInt('--max-sessions', 1000))
    .option('--no-resume', 'refuse logins to a suspended lab instead of resuming it (`labforge resume` brings it back)')
    .addHelpText('after', '\nOne JSON line per event on stdout (logins, refusals, sessions with student, key fingerprint, node, times and bytes); no key material.\n\nExamples:\n  labforge gateway --class net101 --listen 0.0.0.0:2222\n  ssh -p 2222 alice@gateway-host            # the lab\'s entry node\n  ssh -p 2222 alice+router@gateway-host ip route\n  labforge gateway manifests --class net101 | kubectl apply -f -')
    .action(async (opts: GatewayOpts) => {
      const listen = opts.listen;
      const [{ loadKubeConfig }, { clusterFor }, { KubeError }, { cliMessage }, { ensureHostKey }, { Gateway }] = await Promise.all([
        import('../../kube/kubeconfig'),
        import('../../kube/http-cluster'),
        import('../../kube/errors'),
        import('../hints'),
        import('../../gateway/host-key'),
        import('../../gateway/server'),
      ]);
      let gw;
      let cluster;
      try {
        const kc = loadKubeConfig({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig, kubeconfigFrom: '--kubeconfig' } : {}), ...(opts.context ? { context: opts.context } : {}) });
        cluster = clusterFor(kc);
        const hostKey = await ensureHostKey(cluster);
        gw = new Gateway({
          cluster,
          kubeConfig: kc,
          className: opts.class,
          hostKey,
          host: listen.host,
          port: listen.port,
          limits: { ...(opts.idleTimeout !== undefined ? { idleTimeoutMs: opts.idleTimeout * 1000 } : {}), ...(opts.maxSessions !== undefined ? { sessionsPerStudent: opts.maxSessions } : {}) },
          resumeOnLogin: opts.resume,
          ...(opts.wipeOnDisconnect ? { wipe: { volumes: opts.wipeOnDisconnect === 'keep-volumes' ? ('keep' as const) : ('drop' as const) } } : {}),
        });
        const port = await gw.start();
        io.stderr(reachNotice({ host: listen.host, port }, kc.getCurrentCluster()?.server));
      } catch (err) {
        cluster?.close();
        if (err instanceof KubeError) throw new CommandFailure(cliMessage(err));
        if (err instanceof Error && 'code' in err && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) throw new CommandFailure(`cannot listen on ${listen.host}:${listen.port}: ${err.message}; choose another --listen`);
        throw err;
      }
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await gw.stop();
      cluster.close();
    });

  gateway
    .command('manifests')
    .description('Print a Deployment, a Service and least-privilege RBAC that run this class\'s gateway inside the cluster.')
    .option('--image <image>', 'the Labforge image the gateway runs', DEFAULT_IMAGE)
    .option('--port <port>', "the Service's port", positiveInt('--port', 65_535), 22)
    // --class and the connection flags are gateway's own (commander parses them there).
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ConnOpts & { class: string; image: string; port: number }>();
      const [{ gatewayManifests }, { manifestsYaml }, { classNamespaces }, { ensureHostKey }] = await Promise.all([
        import('../../gateway/manifests'),
        import('../../engine/in-cluster'),
        import('../../engine/publish'),
        import('../../gateway/host-key'),
      ]);
      const namespaces = await engine(opts, async (c) => {
        // The in-cluster gateway may only read the host key, so it is made here if it is new.
        await ensureHostKey(c);
        return (await classNamespaces(c, opts.class)).map((n) => n.metadata?.name ?? '');
      });
      if (namespaces.length === 0) throw new CommandFailure(`class ${opts.class} has no students; publish first (the RBAC names each student namespace)`);
      io.stdout(manifestsYaml(gatewayManifests({ className: opts.class, namespaces, image: opts.image, port: opts.port })));
    });
};
