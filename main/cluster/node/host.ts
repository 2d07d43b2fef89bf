// The host side of the real node: what must be true of the machine before containerd and kubelet
// start (root, the tools, the node's address, forwarding and bridge netfilter), and the clean-up
// after `down` (containers, mounts, the pod bridge, the rules and sets kube-proxy and the policy
// enforcer left). Everything here needs root; `up` checks that first and says so.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { REAL_NODE } from './config';

const run = promisify(execFile);

/**
 * Debian packages the node needs from the host (installed by .ci/run; docs/cluster.md). Not
 * mmdebstrap: only building lab images needs it, and it says so then (images.ts).
 */
export const HOST_TOOLS = [
  { command: 'containerd', pkg: 'containerd' },
  { command: 'runc', pkg: 'runc' },
  { command: 'ctr', pkg: 'containerd' },
  { command: 'iptables', pkg: 'iptables' },
  { command: 'ip', pkg: 'iproute2' },
  { command: 'nft', pkg: 'nftables' },
  // kube-router, the policy enforcer, keeps each policy's peers in ipsets.
  { command: 'ipset', pkg: 'ipset' },
] as const;

export function whichSync(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = `${dir}/${command}`;
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** Why this machine cannot run the real node, or undefined when it can. */
export function realNodeUnsupported(): string | undefined {
  if (process.platform !== 'linux') return 'the real node needs Linux';
  if (process.getuid?.() !== 0) return 'the real node needs root (containerd, kubelet and the pod network change the host)';
  const missing = HOST_TOOLS.filter((t) => !whichSync(t.command));
  if (missing.length) return `missing ${missing.map((t) => t.command).join(', ')} (apt-get install ${[...new Set(missing.map((t) => t.pkg))].join(' ')})`;
  if (!existsSync('/usr/lib/cni/bridge')) return 'missing the CNI plugins in /usr/lib/cni (apt-get install containernetworking-plugins)';
  return undefined;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args);
  return stdout;
}

async function writeSysctl(key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  if ((await readFile(file, 'utf8').catch(() => '')).trim() === value) return;
  await writeFile(file, value);
}

/** The node's address on lo, forwarding, and iptables seeing bridged traffic (kube-proxy and policies need both). */
export async function prepareHost(): Promise<void> {
  const addrs = await sh('ip', ['-o', 'addr', 'show', 'dev', 'lo']);
  if (!addrs.includes(` ${REAL_NODE.ip}/32 `)) await sh('ip', ['addr', 'add', `${REAL_NODE.ip}/32`, 'dev', 'lo']);
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) await run('modprobe', ['br_netfilter']).catch(() => undefined);
  await writeSysctl('net.ipv4.ip_forward', '1');
  if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) await writeSysctl('net.bridge.bridge-nf-call-iptables', '1');
}

/**
 * The resolver file whose servers a pod can reach. A host behind a loopback stub (systemd-resolved's
 * 127.0.0.53) lists only that in /etc/resolv.conf, which from a pod's network is the pod itself;
 * systemd-resolved keeps the real upstream servers in a file of its own, which kubelet then uses.
 */
export function upstreamResolvConf(): string {
  const main = '/etc/resolv.conf';
  const servers = (readFileSafe(main) ?? '').split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x);
  const allLoopback = servers.length > 0 && servers.every((a) => a.startsWith('127.') || a === '::1');
  const resolved = '/run/systemd/resolve/resolv.conf';
  return allLoopback && existsSync(resolved) ? resolved : main;
}

function readFileSafe(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The nat chain of ours that lets the node's pods reach the API server (exposeApiToPods). */
const API_CHAIN = 'LABFORGE-NODE-API';

/**
 * The API server listens on loopback only. Pods that need it (CoreDNS, on the pod network so that
 * NetworkPolicies select it like any cluster's DNS) dial the node's address, and this DNAT takes
 * the connection to loopback. route_localnet lets a packet from the bridge reach 127/8 once
 * rewritten; kubelet's KUBE-FIREWALL rule still drops any that arrives for 127/8 without a DNAT,
 * so a pod cannot reach the host's other loopback services (etcd among them).
 */
export async function exposeApiToPods(apiserverPort: number): Promise<void> {
  await writeSysctl('net.ipv4.conf.all.route_localnet', '1');
  const ipt = (...args: string[]) => run('iptables', ['-t', 'nat', ...args]);
  await ipt('-N', API_CHAIN).catch(() => undefined);
  await ipt('-F', API_CHAIN);
  await ipt('-A', API_CHAIN, '-d', `${REAL_NODE.ip}/32`, '-p', 'tcp', '--dport', String(apiserverPort),
    '-j', 'DNAT', '--to-destination', `127.0.0.1:${apiserverPort}`);
  const jump = ['PREROUTING', '-i', REAL_NODE.bridge, '-j', API_CHAIN];
  if (!(await ipt('-C', ...jump).then(() => true, () => false))) await ipt('-I', ...jump);
}

async function removeApiExposure(): Promise<void> {
  await run('iptables', ['-t', 'nat', '-D', 'PREROUTING', '-i', REAL_NODE.bridge, '-j', API_CHAIN]).catch(() => undefined);
  await run('iptables', ['-t', 'nat', '-F', API_CHAIN]).catch(() => undefined);
  await run('iptables', ['-t', 'nat', '-X', API_CHAIN]).catch(() => undefined);
}

/** containerd-shim processes serving the given containerd socket (they outlive containerd by design). */
export async function shimsOf(socket: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.includes('containerd-shim')) continue;
    const i = argv.indexOf('-address');
    if (i >= 0 && argv[i + 1] === socket) out.push(Number(entry));
  }
  return out;
}

/**
 * Every process in the kubelet's pod cgroups (cgroup v1 `pids` or `memory` hierarchy, cgroupfs or
 * systemd naming): the containers of this node, the only real node a machine runs.
 */
export function kubepodsProcesses(): number[] {
  for (const controller of ['pids', 'memory']) {
    for (const root of [`/sys/fs/cgroup/${controller}/kubepods`, `/sys/fs/cgroup/${controller}/kubepods.slice`]) {
      if (!existsSync(root)) continue;
      const out = new Set<number>();
      const walk = (dir: string) => {
        try {
          for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (/^\d+$/.test(line)) out.add(Number(line));
          for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
        } catch {
          // a cgroup removed while walking
        }
      };
      walk(root);
      return [...out];
    }
  }
  return [];
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((l) => l.split(' ')[4] ?? '').map((p) => p.replace(/\\040/g, ' '));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/**
 * After kubelet and containerd stopped: end every container of this node (killing a shim ends its
 * containers), unmount what kubelet and the snapshotter mounted under the state directory, remove
 * the pod bridge and the node's address, and let kube-proxy's and the enforcer's rules go.
 */
export async function cleanUpHost(opts: { stateDir: string; containerdSocket: string; kubeProxy?: string; log: (line: string) => void }): Promise<void> {
  const shims = await shimsOf(opts.containerdSocket);
  for (const pid of shims) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (shims.length) opts.log(`stopped ${shims.length} container shims`);
  // A container's processes are not in its shim's group and outlive it (a pod's pause and
  // CoreDNS were found running after a stop, reparented to init): end what the pods' cgroups hold.
  const orphans = kubepodsProcesses();
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (orphans.length) opts.log(`ended ${orphans.length} container processes left by their shims`);
  // Containers die asynchronously after their shim; give the kernel a moment before unmounting.
  if (shims.length || orphans.length) await new Promise((r) => setTimeout(r, 500));
  const mounts = mountsUnder(opts.stateDir);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
  if (mounts.length) opts.log(`unmounted ${mounts.length} mounts under ${opts.stateDir}`);
  await run('ip', ['link', 'del', REAL_NODE.bridge]).catch(() => undefined);
  // Pod veths go with their network namespaces; the node address is ours alone.
  await run('ip', ['addr', 'del', `${REAL_NODE.ip}/32`, 'dev', 'lo']).catch(() => undefined);
  if (opts.kubeProxy) await run(opts.kubeProxy, ['--cleanup']).catch(() => undefined);
  await removeKubeRouterRules().catch(() => undefined);
  await removeApiExposure();
  // The bridge plugin's masquerade rules for the pod range.
  await flushCniNat().catch(() => undefined);
  await removeKubeletChains().catch(() => undefined);
}

/** kubelet's own iptables chains (its firewall rule for 127/8 and its canaries), which it never removes. */
async function removeKubeletChains(): Promise<void> {
  const ipt = (...args: string[]) => run('iptables', args).catch(() => undefined);
  for (const hook of ['INPUT', 'OUTPUT']) await ipt('-t', 'filter', '-D', hook, '-j', 'KUBE-FIREWALL');
  for (const [table, chain] of [['filter', 'KUBE-FIREWALL'], ['filter', 'KUBE-KUBELET-CANARY'], ['nat', 'KUBE-KUBELET-CANARY'], ['mangle', 'KUBE-KUBELET-CANARY'], ['mangle', 'KUBE-IPTABLES-HINT']] as const) {
    await ipt('-t', table, '-F', chain);
    await ipt('-t', table, '-X', chain);
  }
}

/**
 * kube-router's policy chains and ipsets. Not its own `--cleanup-config`: that also runs its
 * service proxy's and router's clean-up, which flush every IPVS service on the machine.
 */
async function removeKubeRouterRules(): Promise<void> {
  const ipt = (...args: string[]) => run('iptables', args).catch(() => undefined);
  for (const hook of ['INPUT', 'FORWARD', 'OUTPUT']) {
    // The jumps carry a comment, so they are deleted by number (highest first), not by spec.
    const rows = (await sh('iptables', ['-t', 'filter', '-L', hook, '-n', '--line-numbers'])).split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => /^\d+$/.test(f[0] ?? '') && KUBE_ROUTER_CHAIN.test(f[1] ?? ''));
    for (const f of rows.reverse()) await ipt('-t', 'filter', '-D', hook, f[0] as string);
  }
  const chains = (await sh('iptables-save', ['-t', 'filter'])).split('\n')
    .map((l) => /^:(\S+)/.exec(l)?.[1])
    .filter((c): c is string => !!c && KUBE_ROUTER_CHAIN.test(c));
  for (const c of chains) await ipt('-t', 'filter', '-F', c);
  for (const c of chains) await ipt('-t', 'filter', '-X', c);
  const sets = (await sh('ipset', ['list', '-n'])).split('\n').filter((n) => KUBE_ROUTER_SET.test(n));
  for (const name of sets) await run('ipset', ['destroy', name]).catch(() => undefined);
}
const KUBE_ROUTER_CHAIN = /^KUBE-(ROUTER-|NWPLCY-|POD-FW-)/;
const KUBE_ROUTER_SET = /^KUBE-(SRC|DST)-/;

async function flushCniNat(): Promise<void> {
  // The bridge plugin masquerades each pod through a chain of its own (CNI-<hash>), removed on
  // CNI DEL; containers killed with their shims never get one.
  const listing = await sh('iptables', ['-t', 'nat', '-L', 'POSTROUTING', '-n', '--line-numbers']);
  const prefix = REAL_NODE.podCidr.replace(/0\/24$/, '');
  const rows = listing.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => /^\d+$/.test(f[0] ?? '') && (f[1] ?? '').startsWith('CNI-') && (f[4] ?? '').startsWith(prefix));
  for (const f of rows.reverse()) {
    await run('iptables', ['-t', 'nat', '-D', 'POSTROUTING', f[0] as string]).catch(() => undefined);
    await run('iptables', ['-t', 'nat', '-F', f[1] as string]).catch(() => undefined);
    await run('iptables', ['-t', 'nat', '-X', f[1] as string]).catch(() => undefined);
  }
}
