/**
 * `labforge gateway --class C [--listen ADDR:PORT]`: the class's SSH gateway (main/gateway), and
 * `labforge gateway manifests --class C`, what runs it inside the cluster. The gateway, ssh2
 * and the Kubernetes client load inside the actions (see ./index.ts).
 */
import { Option, type Command } from 'commander';
import { durationArg, positiveInt, shown } from '../args';
import { CommandFailure, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import { classCommand, DEFAULT_IMAGE, engine, type ConnOpts } from './engine';

interface GatewayOpts extends ConnOpts {
  class: string;
  listen: { host: string; port: number };
  wipeOnDisconnect?: 'keep-volumes' | 'drop-volumes';
  idleTimeout?: number;
  maxSessions?: number;
}

/** `ADDR:PORT`, `:PORT` or `PORT`; IPv6 in brackets. */
export function listenArg(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65_535)) throw new UsageError(`--listen must be ADDR:PORT (e.g. 0.0.0.0:2222, 127.0.0.1:2222 or :2222); got ${shown(value)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export const gatewayCommands: CommandModule = (program: Command, io: CliIO) => {
  const gateway = classCommand(program, 'gateway', "Run the class's SSH gateway: students log in with `ssh -p PORT STUDENT[+NODE]@HOST` using a key added with `labforge keys add`.")
    .addOption(new Option('--listen <addr:port>', 'where to listen').argParser(listenArg).default({ host: '0.0.0.0', port: 2222 }, '0.0.0.0:2222'))
    .addOption(new Option('--wipe-on-disconnect <volumes>', "reset a student's namespace to the release when their last session ends, keeping or dropping volumes (off by default)").choices(['keep-volumes', 'drop-volumes']))
    .option('--idle-timeout <duration>', 'close connections idle this long (default 30m)', durationArg('--idle-timeout', 10, 7 * 86_400))
    .option('--max-sessions <n>', 'sessions one student may have open at once (default 8)', positiveInt('--max-sessions', 1000))
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
        const kc = loadKubeConfig({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context ? { context: opts.context } : {}) });
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
          ...(opts.wipeOnDisconnect ? { wipe: { volumes: opts.wipeOnDisconnect === 'keep-volumes' ? ('keep' as const) : ('drop' as const) } } : {}),
        });
        await gw.start();
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
      const [{ gatewayManifests, manifestsYaml }, { classNamespaces }, { ensureHostKey }] = await Promise.all([
        import('../../gateway/manifests'),
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
