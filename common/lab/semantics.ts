/**
 * Rules that relate parts of a structurally valid lab to each other: unique names, references
 * to networks, volumes and nodes, limits not below requests, kind-specific fields.
 */
import { checkRuleIssues } from './checks';
import { quoteInput } from './escape';
import { parseQuantity } from './quantity';
import type { Lab } from './schema';

export type LabPath = (string | number)[];

export interface SemanticIssue {
  path: LabPath;
  message: string;
}

export function checkSemantics(lab: Lab): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const add = (path: LabPath, message: string) => issues.push({ path, message });

  const unique = (section: 'nodes' | 'networks' | 'volumes', names: string[]) => {
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const first = seen.get(name);
      if (first !== undefined) {
        add([section, i, 'name'], `duplicate name "${name}": ${section}[${first}] already uses it; rename one of them`);
      } else seen.set(name, i);
    });
  };
  unique('nodes', lab.nodes.map((n) => n.name));
  unique('networks', lab.networks.map((n) => n.name));
  unique('volumes', lab.volumes.map((v) => v.name));

  const networks = new Set(lab.networks.map((n) => n.name));
  const volumes = new Set(lab.volumes.map((v) => v.name));
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));

  // A volume is one ReadWriteOnce claim (a VM's disk): a second node mounting it would wait
  // forever for it on a cluster of several machines, so only one node may.
  const volumeOwner = new Map<string, string>();

  lab.nodes.forEach((node, i) => {
    const at = (...rest: LabPath): LabPath => ['nodes', i, ...rest];

    const attached = new Set<string>();
    node.networks?.forEach((net, j) => {
      if (!networks.has(net)) add(at('networks', j), `network "${net}" is not declared; add it under \`networks\` or remove the attachment`);
      if (attached.has(net)) add(at('networks', j), `node is attached to network "${net}" twice; remove one`);
      attached.add(net);
    });

    const mountPaths = new Set<string>();
    node.volumes?.forEach((m, j) => {
      if (!volumes.has(m.volume)) add(at('volumes', j, 'volume'), `volume "${m.volume}" is not declared; add it under \`volumes\` or remove the mount`);
      if (mountPaths.has(m.mountPath)) add(at('volumes', j, 'mountPath'), `mountPath "${m.mountPath}" is used twice on this node`);
      mountPaths.add(m.mountPath);
      const owner = volumeOwner.get(m.volume);
      if (owner === undefined) volumeOwner.set(m.volume, node.name);
      else if (owner !== node.name) add(at('volumes', j, 'volume'), `volume "${m.volume}" is already mounted by node "${owner}": a volume is a ReadWriteOnce claim that one node mounts; give this node a volume of its own`);
    });

    const ports = new Set<string>();
    node.ports?.forEach((p, j) => {
      const key = `${p.port}/${p.protocol ?? 'TCP'}`;
      if (ports.has(key)) add(at('ports', j, 'port'), `port ${key} is declared twice on this node`);
      ports.add(key);
      if (node.desktop && p.port === 5900) add(at('ports', j, 'port'), 'port 5900 is reserved for the VNC desktop of a desktop node; remove it');
    });

    const files = new Set<string>();
    node.files?.forEach((f, j) => {
      if (files.has(f.path)) add(at('files', j, 'path'), `file "${f.path}" is declared twice on this node`);
      files.add(f.path);
    });

    for (const res of ['cpu', 'memory'] as const) {
      const req = node.resources?.requests?.[res];
      const lim = node.resources?.limits?.[res];
      if (req !== undefined && lim !== undefined && parseQuantity(lim)! < parseQuantity(req)!) {
        add(at('resources', 'limits', res), `limits.${res} (${lim}) is below requests.${res} (${req}); raise the limit or lower the request`);
      }
    }

    if (node.kind === 'vm') {
      if (node.desktop) add(at('desktop'), 'desktop applies to containers; a VM always has a VNC console');
      if (node.command) add(at('command'), 'command is not supported on vm nodes; put start-up commands in `setup`');
      if (node.args) add(at('args'), 'args is not supported on vm nodes; put start-up commands in `setup`');
      if (node.security) add(at('security'), 'security applies to containers; a VM\'s guest has its own users and kernel');
    }

    const caps = node.security?.capabilities ?? [];
    if (caps.length > 0 && node.kind !== 'vm' && node.security?.user !== 'root') {
      // A non-root process gets no effective capability from the container's set (no ambient capabilities).
      add(at('security', 'capabilities'), 'capabilities take effect only for root: add `user: root` to this node\'s security, or remove them');
    }
    caps.forEach((c, j) => {
      if (caps.indexOf(c) !== j) add(at('security', 'capabilities', j), `capability ${c} is listed twice; remove one`);
    });
  });

  lab.exposures.forEach((e, i) => {
    const node = nodes.get(e.node);
    if (!node) {
      add(['exposures', i, 'node'], `node "${e.node}" is not declared under \`nodes\``);
      return;
    }
    if (!node.ports?.some((p) => p.port === e.port && (p.protocol ?? 'TCP') === 'TCP')) {
      add(['exposures', i, 'port'], `node "${e.node}" does not declare TCP port ${e.port}; add it to the node's ports`);
    }
  });
  const exposed = new Set<string>();
  lab.exposures.forEach((e, i) => {
    const key = `${e.node}:${e.port}`;
    if (exposed.has(key)) add(['exposures', i], `port ${e.port} of node "${e.node}" is exposed twice`);
    exposed.add(key);
  });

  const layoutRefs: ['nodes' | 'networks' | 'volumes', Set<string>][] = [
    ['nodes', new Set(nodes.keys())],
    ['networks', networks],
    ['volumes', volumes],
  ];
  for (const [section, names] of layoutRefs) {
    for (const key of Object.keys(lab.layout?.[section] ?? {})) {
      if (!names.has(key)) add(['layout', section, key], `layout refers to ${section.slice(0, -1)} ${quoteInput(key)}, which is not declared; remove the entry`);
    }
  }

  issues.push(...checkRuleIssues(lab));

  return issues;
}
