/**
 * A compose service's `ports` and `expose` → the node's ports. Every entry of `ports` publishes
 * on the host in compose (a random host port when none is given), and a lab node has no host
 * port: each one is reported with the service, the line and the exposure to write instead,
 * because reaching the app from a browser is what users miss most after an import.
 */
import type { NodeInput, Path } from './compose-fields';
import type { YamlSource } from './source';

type PortInput = NonNullable<NodeInput['ports']>[number];

const MAX_PORT_RANGE = 16;
/** `[host:][published:]target[-last][/protocol]`, the short syntax. */
const SHORT_PORT = /^(?:(\[[^\]]*\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?)?:)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i;

interface Published {
  service: string;
  node: string;
  ports: PortInput[];
  /** How the host side was written ("8080", "127.0.0.1:8443", "8080-8081"); undefined: a random port. */
  host: string | undefined;
  http: boolean;
}

export function ports(src: YamlSource, at: Path, opts: { exposeOnly: boolean; service: string; node: string }): PortInput[] {
  if (!src.isSeq(at)) {
    src.warn(at, 'ports must be a list; they are not imported');
    return [];
  }
  const out: PortInput[] = [];
  const publish = (where: Path, p: Omit<Published, 'service' | 'node'>) => {
    if (!opts.exposeOnly) src.warn(where, publishedNote({ ...p, service: opts.service, node: opts.node }));
  };
  (src.value(at) as unknown[]).forEach((item, i) => {
    const where: Path = [...at, i];
    if (item && typeof item === 'object') {
      const long = item as { target?: unknown; published?: unknown; host_ip?: unknown; protocol?: unknown; app_protocol?: unknown };
      const target = Number(long.target);
      if (!Number.isInteger(target) || target < 1 || target > 65535) {
        src.warn(where, 'a port needs a `target` between 1 and 65535; it is not imported');
        return;
      }
      const protocol = String(long.protocol ?? 'tcp').toUpperCase();
      if (protocol !== 'TCP' && protocol !== 'UDP') src.warn(where, `protocol ${protocol} is not supported; the port is imported as TCP`);
      const port: PortInput = { port: target, ...(protocol === 'UDP' ? { protocol: 'UDP' as const } : {}) };
      out.push(port);
      const published = long.published === undefined || long.published === '' ? undefined : String(long.published);
      const hostIp = long.host_ip === undefined ? '' : `${String(long.host_ip)}:`;
      publish(where, { ports: [port], host: published === undefined ? undefined : `${hostIp}${published}`, http: /^https?$/i.test(String(long.app_protocol ?? '')) });
      return;
    }
    // The host address is an IPv4 address (with dots) or a bracketed IPv6 one: a bare number
    // before the colon is the published port ("8080:80"), which must be reported, not eaten.
    const m = SHORT_PORT.exec(String(item).trim());
    if (!m) {
      src.warn(where, `"${String(item)}" is not a port such as "8080:80" or "53/udp"; it is not imported`);
      return;
    }
    const [, hostIp, published, first, last, proto] = m;
    const from = Number(first);
    const to = last ? Number(last) : from;
    if (to < from || to - from >= MAX_PORT_RANGE || from < 1 || to > 65535) {
      src.warn(where, `port range ${first}-${last} is not imported: list at most ${MAX_PORT_RANGE} ports explicitly`);
      return;
    }
    const protocol = (proto ?? 'tcp').toUpperCase();
    if (protocol === 'SCTP') {
      src.warn(where, 'SCTP ports are not supported; the port is not imported');
      return;
    }
    const mine: PortInput[] = [];
    for (let p = from; p <= to; p++) mine.push({ port: p, ...(protocol === 'UDP' ? { protocol: 'UDP' as const } : {}) });
    out.push(...mine);
    publish(where, { ports: mine, host: published === undefined ? undefined : `${hostIp ? `${hostIp}:` : ''}${published}`, http: false });
  });
  return out;
}

/**
 * What an instructor needs to know: there is no host port, the port is still open inside the
 * lab, and the exact `exposures:` entry that makes an HTTP port reachable from a browser.
 */
export function publishedNote(p: Published): string {
  const list = p.ports.map((x) => x.port).join(', ');
  const udp = p.ports.every((x) => x.protocol === 'UDP');
  const what = `${udp ? 'UDP ' : ''}port${p.ports.length > 1 ? 's' : ''} ${list}`;
  const on = p.host === undefined ? 'on a random host port' : `on host port ${p.host}`;
  const head = `service "${p.service}" publishes ${what} ${on}; a lab node has no host ports, so ${p.ports.length > 1 ? 'they are' : 'it is'} open to the node's networks only`;
  if (udp) return `${head}, and exposures carry HTTP over TCP only`;
  const tcp = p.ports.filter((x) => x.protocol !== 'UDP');
  const entries = tcp.map((x) => `{node: ${p.node}, port: ${x.port}}`).join(', ');
  return `${head}. ${p.http ? 'Open it' : 'If it serves HTTP, open it'} from a browser by adding to the lab: exposures: [${entries}]`;
}

export function addPort(node: NodeInput, port: PortInput): void {
  const list = (node.ports ??= []);
  if (!list.some((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))) list.push(port);
}
