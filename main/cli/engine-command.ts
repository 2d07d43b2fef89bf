/**
 * What every engine command shares: --kubeconfig/--context, --class, running an engine action
 * with cluster errors turned into one line and the CLI's next step, reaching a class's zones, and
 * the `<lab>` argument. The Kubernetes client and the engine are imported inside, on first use.
 */
import type { Command } from 'commander';
import type { Lab } from '../../common/lab/schema';
import type { Zone } from '../class/zones';
import type { Cluster } from '../kube/cluster';
import type { ConnectOptions } from '../kube/kubeconfig';
import type { ClassPart } from '../engine/zones';
import { dnsLabelArg } from './args';
import { CommandFailure } from './errors';

export interface ConnOpts {
  kubeconfig?: string;
  context?: string;
}

export function withConnection(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)');
}

/** A command that acts on one class: connection options plus the required --class. */
export function classCommand(program: Command, name: string, description: string): Command {
  return withConnection(program.command(name).description(description).requiredOption('--class <name>', 'class name (DNS-1123 label)', dnsLabelArg('--class', 30)));
}

/** Runs an engine action and maps KubeErrors to a failure with the CLI's next step (exit 1). */
export async function engine<T>(opts: ConnOpts, fn: (cluster: Cluster) => Promise<T>): Promise<T> {
  const [{ connect }, { KubeError }, { cliMessage }] = await Promise.all([import('../kube/http-cluster'), import('../kube/errors'), import('./hints')]);
  let cluster: Cluster | undefined;
  try {
    cluster = connect({ ...opts, kubeconfigFrom: '--kubeconfig' });
    return await fn(cluster);
  } catch (err) {
    if (err instanceof KubeError) throw new CommandFailure(cliMessage(err));
    throw err;
  } finally {
    cluster?.close();
  }
}

/**
 * Runs `each` on every cluster the class lives on, its zones (from the record on the chosen
 * cluster) or the chosen cluster alone, with engine()'s error handling; `only` picks a student's zone.
 */
export async function overClassCli<T>(opts: ConnOpts & { class: string }, each: (part: ClassPart) => Promise<T>, only?: { student: string }): Promise<T[]> {
  const [{ overClass }, connectZone] = await Promise.all([import('../engine/zones'), zoneConnector(opts)]);
  return engine(opts, (home) => overClass(home, opts.class, connectZone, each, only));
}

/** `<lab>` may be a lab file or a lab name; a file is read and validated. */
export async function labArg(value: string): Promise<{ file?: Lab; name: string }> {
  return (await import('./lab-input')).labArg(value);
}

/** What a zone connects with: its own kubeconfig (or the command's), its context (or that file's current one). */
export function zoneConnection(zone: Zone, opts: ConnOpts): ConnectOptions {
  const kubeconfig = zone.kubeconfig ?? opts.kubeconfig;
  return {
    ...(kubeconfig ? { kubeconfig, kubeconfigFrom: zone.kubeconfig ? `zone "${zone.name}" kubeconfig` : '--kubeconfig' } : {}),
    ...(zone.context ? { context: zone.context } : {}),
  };
}

/** Opens a zone: its own kubeconfig (or the command's), its context (or that file's current one). */
export async function zoneConnector(opts: ConnOpts): Promise<(zone: Zone) => Cluster> {
  const { connect } = await import('../kube/http-cluster');
  return (zone) => connect(zoneConnection(zone, opts));
}
