// The host side of the real node: what must be true of the machine before containerd and kubelet
// start (root, the tools, the node's address, forwarding and bridge netfilter), and the clean-up
// after `down` (containers, mounts, the pod bridge, the rules kube-proxy and the policy enforcer
// left). Everything here needs root; `up` checks that first and says so.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * Whether nftables can queue packets to a program (the `queue` expression, kernel module
 * nft_queue): kube-network-policies decides every new connection that way. A kernel without it
 * (this sandbox's, for one, which has iptables' NFQUEUE but not nftables' queue) runs the
 * enforcer, but the enforcer cannot install its rules, so policies are stored and not enforced.
 */
export function nftQueueSupported(): boolean {
  const table = `labforge-probe-${process.pid}`;
  const nft = (...args: string[]) => execFileSync('nft', args, { stdio: 'ignore' });
  try {
    nft('add', 'table', 'inet', table);
    nft('add', 'chain', 'inet', table, 'c', '{ type filter hook forward priority 0; policy accept; }');
    nft('add', 'rule', 'inet', table, 'c', 'meta', 'l4proto', 'tcp', 'queue', 'num', '100', 'bypass');
    return true;
  } catch {
    return false;
  } finally {
    try {
      nft('delete', 'table', 'inet', table);
    } catch {
      // the table was never made
    }
  }
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

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((l) => l.split(' ')[4] ?? '').map((p) => p.replace(/\\040/g, ' '));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/**
 * After kubelet and containerd stopped: end every container of this node (killing a shim ends its
 * containers), unmount what kubelet and the snapshotter mounted under the state directory, remove
 * the pod bridge and the node's address, and let kube-proxy and the enforcer's tables go.
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
  // Containers die asynchronously after their shim; give the kernel a moment before unmounting.
  if (shims.length) await new Promise((r) => setTimeout(r, 500));
  const mounts = mountsUnder(opts.stateDir);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
  if (mounts.length) opts.log(`unmounted ${mounts.length} mounts under ${opts.stateDir}`);
  await run('ip', ['link', 'del', REAL_NODE.bridge]).catch(() => undefined);
  // Pod veths go with their network namespaces; the node address is ours alone.
  await run('ip', ['addr', 'del', `${REAL_NODE.ip}/32`, 'dev', 'lo']).catch(() => undefined);
  if (opts.kubeProxy) await run(opts.kubeProxy, ['--cleanup']).catch(() => undefined);
  // kube-network-policies keeps its rules in one nftables table of its own.
  await run('nft', ['delete', 'table', 'inet', 'kube-network-policies']).catch(() => undefined);
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
