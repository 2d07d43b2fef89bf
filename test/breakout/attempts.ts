// The breakout attempts: what a student who is root in their own container, and holds their own
// kubeconfig, tries in order to get out — into the host, the node's services, the API beyond
// their role, another student's lab — or to starve the machine while another student works.
//
// Every attempt has one way to count as succeeded, written into it: a shell attempt prints a
// line starting `BREAKOUT` only when the forbidden effect took place (a mount was made, a host
// file's bytes were read, a port answered with data), never for merely trying; an API attempt
// succeeds when the server grants what it should refuse. Nothing here knows which outcome is
// expected: verdicts are computed from what came back.
//
// Host files are never printed, only their size: the table goes into docs/security.md.
import { request, type RequestOptions } from 'node:https';
import { PassThrough } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import ssh2 from 'ssh2';
import { tryCheck } from '../../main/engine/checks';
import { streamingExec } from '../../main/streams/exec-stream';
import { PROBE_PORT, PVC_SIZE_MIB, SCRATCH_MIB, errorText, withTimeout, type BreakoutRig, type ShellResult } from './rig';

/** How the student gets at it; `checks` is the instructor's check runner executing a script in the student's node. */
export type Path = 'exec' | 'terminal' | 'ssh' | 'checks' | 'kubeconfig';
export const PATHS: readonly Path[] = ['exec', 'terminal', 'ssh', 'checks', 'kubeconfig'];

export interface Raw {
  /** What the attempt got back, shortened for the table. */
  got: string;
  /** The whole output, for the verdict. */
  output: string;
  /** Exhaustion attempts: how the other student's probe fared meanwhile. */
  probe?: ProbeStats;
}

export interface Attempt {
  id: string;
  what: string;
  path: Path;
  /** Starves the node: run with the other student's probe going, and judged on it too. */
  exhaustion?: boolean;
  /** Runs last in a full run: it restarts the attacker's pod. */
  restartsPod?: boolean;
  run(rig: BreakoutRig): Promise<Raw>;
  verdict(raw: Raw): 'succeeded' | 'refused';
}

export interface ProbeStats {
  probes: number;
  failed: number;
  p95Ms: number;
  maxMs: number;
  firstFailure?: string;
}

// ---- shell attempts ------------------------------------------------------------------------

/** Functions every script may use: `hit` marks a success; `try_` runs a command and hits if it exits 0. */
const PRELUDE = String.raw`
hit() { printf 'BREAKOUT %s\n' "$*" | head -c 400; echo; }
try_() { d=$1; shift; o=$("$@" 2>&1); s=$?; o=$(printf %s "$o" | head -c 200 | tr '\n' ' '); if [ $s -eq 0 ]; then hit "$d: $o"; else echo "refused ($s): $d: $o"; fi; }
mkdir -p /tmp/bm
`;

const hasHit = (raw: Raw) => /^BREAKOUT /m.test(raw.output);

/**
 * Every script ends by printing this: a script that did not get there (the path failed, the
 * shell was killed) and hit nothing proves no defence, so the attempt is an error, not refused.
 */
const DONE = 'ATTEMPT-DONE';
const EPILOGUE = `\necho ${DONE}\n`;

/** The table's "got": the BREAKOUT lines if any, else the output's last lines, and how the path ended. */
function summarize(r: ShellResult): Raw {
  const lines = r.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l && l !== DONE);
  if (!lines.some((l) => l.startsWith('BREAKOUT ')) && !r.stdout.includes(DONE)) {
    throw new Error(`the script did not run to its end [${r.status}]: ${lines.slice(-2).join(' | ').slice(0, 300)}`);
  }
  const hits = lines.filter((l) => l.startsWith('BREAKOUT '));
  const shown = (hits.length ? hits : lines.slice(-3)).join(' | ');
  return { got: `${shown || '(no output)'} [${r.status}]`.slice(0, 400), output: r.stdout };
}

function shellOn(rig: BreakoutRig, path: Path, script: string, timeoutMs?: number): Promise<ShellResult> {
  const full = PRELUDE + script + EPILOGUE;
  if (path === 'terminal') return rig.shTerminal(full, timeoutMs);
  if (path === 'ssh') return rig.shSsh(full, undefined, timeoutMs);
  return rig.shExec(full, 'box', timeoutMs);
}

function shell(id: string, what: string, script: (rig: BreakoutRig) => string, path: Path = 'exec'): Attempt {
  return { id, what, path, run: async (rig) => summarize(await shellOn(rig, path, script(rig))), verdict: (raw) => (hasHit(raw) ? 'succeeded' : 'refused') };
}

/** Writes a file's own value back to it: proves the write is possible and changes nothing. */
const writeBack = (file: string) => String.raw`
f=${file}
if [ ! -e $f ]; then echo "absent: $f"; else
v=$(cat $f 2>&1)
if ( printf '%s\n' "$v" > $f ) 2>/tmp/e; then hit "wrote $f (its own value back)"; else echo "refused: $f: $(cat /tmp/e)"; fi
fi`;

/** Reads the cluster's host files by every route a container has: their own path, /proc/<pid>/root, a search of the filesystem. */
const hostFiles = (rig: BreakoutRig) => {
  const d = rig.facts.clusterDir;
  const files = [`${d}/pki/tokens.csv`, `${d}/kubeconfig`, `${d}/pki/ca.key`, `${d}/config/kubelet.kubeconfig`, `${d}/cluster.json`];
  return String.raw`
for f in ${files.join(' ')}; do
  for p in "$f" "/proc/1/root$f" "/proc/self/root$f" "/proc/${rig.facts.kubeletPid}/root$f"; do
    if n=$( { wc -c < "$p"; } 2>/dev/null); then hit "read $p ($n bytes)"; fi
  done
done
for p in ${d}/etcd ${d}/node ${d}/volumes; do if ls "$p" >/dev/null 2>&1; then hit "listed $p"; fi; done
found=$(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -name tokens.csv -o -name ca.key -o -name 'client-admin.key' \) -print 2>/dev/null | head -3)
[ -n "$found" ] && hit "found $found"
echo "host files: none readable from $(hostname) (looked for ${files.length} files by 4 routes each, 3 directories, and searched /)"`;
};

const podCgroupCheck = String.raw`
own=$(grep -E ':(memory|pids):' /proc/self/cgroup | head -1 | cut -d: -f3); pod=$(dirname "$own")
outside=0
for p in /proc/[0-9]*; do
  c=$(grep -E ':(memory|pids):' $p/cgroup 2>/dev/null | head -1 | cut -d: -f3)
  [ -z "$c" ] && continue
  case "$c" in "$pod"*) ;; *) outside=$((outside+1)); if head -c 1 $p/environ >/dev/null 2>&1; then hit "read the environment of $p ($(tr '\0' ' ' < $p/cmdline | head -c 60)) in cgroup $c"; fi ;; esac
done
echo "processes outside the pod visible: $outside"`;

/** init_module/finit_module through perl's syscall: EPERM means no CAP_SYS_MODULE; any other error means the kernel looked at the module. */
const moduleSyscall = (nr: number, args: string) => String.raw`
r=$(perl -e 'open(my $f,">","/tmp/x.ko"); print $f "\0" x 64; close $f; open($f,"<","/tmp/x.ko"); my $m="\0" x 64; my $p=""; $!=0; my $r=syscall(${nr}, ${args}); printf "%d %d %s", $r, $!+0, $!' 2>&1)
echo "syscall ${nr}: $r"
# CAP_SYS_MODULE (bit 16 of CapEff) is what a kernel with module loading would check.
cap=$(( 0x$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status) >> 16 & 1 ))
echo "CAP_SYS_MODULE in CapEff: $cap"
[ $cap -eq 1 ] && hit "the container holds CAP_SYS_MODULE"
case "$r" in
  "-1 1 "*) echo "refused: EPERM" ;;
  "-1 38 "*) echo "refused: ENOSYS (this kernel loads no modules at all)" ;;
  "-1 "*|"0 "*) hit "module syscall ${nr} got past the permission check: $r" ;;
  *) echo "perl could not make the call: $r"; exit 3 ;;
esac`;

const sock = (domain: number, type: number, proto: number, name: string) => String.raw`
r=$(perl -e 'if (socket(my $s, ${domain}, ${type}, ${proto})) { print "open" } else { printf "%d %s", $!+0, $! }' 2>&1)
if [ "$r" = open ]; then hit "${name} socket opened"; else echo "refused: ${name}: $r"; fi`;

const curlBody = (label: string, url: string, pattern: string) => String.raw`
rm -f /tmp/o; touch /tmp/o; c=$(curl -sk -m 4 -o /tmp/o -w '%{http_code} %{errormsg}' '${url}' 2>/dev/null); n=$(wc -c < /tmp/o)
echo "${label} ${url} -> $c ($n bytes): $(head -c 80 /tmp/o 2>/dev/null | tr '\n' ' ')"
if grep -q '${pattern}' /tmp/o 2>/dev/null; then hit "${label} answered with data ($c, $n bytes)"; fi
rm -f /tmp/o`;

function shellAttempts(): Attempt[] {
  return [
    shell('mount-proc', 'mount a new proc filesystem', () => `try_ "mount -t proc" mount -t proc proc /tmp/bm`),
    shell('mount-tmpfs', 'mount a tmpfs', () => `try_ "mount -t tmpfs" mount -t tmpfs none /tmp/bm`),
    shell('mount-bind-root', 'bind-mount / elsewhere', () => `try_ "mount --bind /" mount --bind / /tmp/bm`),
    shell('mount-cgroup', 'mount the cgroup v1 memory hierarchy (the release_agent escape)', () => `try_ "mount -t cgroup" mount -t cgroup -o memory cgroup /tmp/bm`),
    shell('unshare-user', 'unshare -U -r and mount inside the new user namespace', () => `try_ "unshare -Urm + mount" unshare -Urm sh -c 'mount -t tmpfs x /tmp && echo mounted-in-userns'`),
    shell('unshare-mount', 'unshare -m (a new mount namespace needs CAP_SYS_ADMIN)', () => `try_ "unshare -m" unshare -m true`),
    shell('unshare-net', 'unshare -n (a new network namespace)', () => `try_ "unshare -n" unshare -n true`),
    shell('nsenter-pid1', "nsenter into PID 1's namespaces and look for the host's files", (rig) => String.raw`
o=$(nsenter -t 1 -m -u -i -n -p -- sh -c 'hostname; ls -d ${rig.facts.clusterDir} 2>/dev/null' 2>&1 | head -c 200 | tr '\n' ' ')
echo "nsenter -t 1: $o"
case "$o" in *"${rig.facts.clusterDir}"*) hit "host filesystem after nsenter: $o" ;; esac`),
    shell('setns-kubelet', "nsenter into the kubelet's namespaces by its host PID", (rig) => `try_ "nsenter -t ${rig.facts.kubeletPid}" nsenter -t ${rig.facts.kubeletPid} -m -n -p -- ls -d ${rig.facts.clusterDir}`),
    shell('host-pids-visible', "see and read host processes' environments from /proc", () => podCgroupCheck),
    shell('proc-kubelet-mem', "read the kubelet's cmdline and memory through /proc/<host pid>", (rig) => String.raw`
p=/proc/${rig.facts.kubeletPid}
c=$(tr '\0' ' ' < $p/cmdline 2>/dev/null | head -c 80); echo "pid ${rig.facts.kubeletPid} here: $c"
case "$c" in *kubelet*) hit "the kubelet's cmdline is visible: $c" ;; esac
if dd if=$p/mem bs=1 count=1 skip=4194304 2>/dev/null | wc -c | grep -q 1; then hit "read $p/mem"; fi`),
    shell('ptrace-attach', "ptrace(PTRACE_ATTACH) the kubelet's host PID", (rig) => String.raw`
r=$(perl -e '$r=syscall(101, 16, ${rig.facts.kubeletPid}, 0, 0); printf "%d %d %s", $r, $!+0, $!' 2>&1); echo "ptrace attach: $r"
case "$r" in "0 "*) hit "attached to pid ${rig.facts.kubeletPid}" ;; esac`),
    shell('sysctl-core-pattern', 'write /proc/sys/kernel/core_pattern (a host-wide helper the kernel runs as root)', () => writeBack('/proc/sys/kernel/core_pattern')),
    shell('sysctl-modprobe', 'write /proc/sys/kernel/modprobe', () => writeBack('/proc/sys/kernel/modprobe')),
    shell('sysctl-panic', 'write /proc/sys/kernel/panic_on_oops', () => writeBack('/proc/sys/kernel/panic_on_oops')),
    shell('sys-uevent-helper', 'write /sys/kernel/uevent_helper', () => writeBack('/sys/kernel/uevent_helper')),
    shell('sys-cgroup-limit', "raise the pod's own memory limit in /sys/fs/cgroup", () => String.raw`
f=$(for d in /sys/fs/cgroup/memory /sys/fs/cgroup; do [ -e $d/memory.limit_in_bytes ] && echo $d/memory.limit_in_bytes && break; [ -e $d/memory.max ] && echo $d/memory.max && break; done)
if [ -z "$f" ]; then echo "no memory limit file visible"; else
v=$(cat $f); if ( echo 4294967296 > $f ) 2>/tmp/e; then hit "raised $f from $v to $(cat $f)"; echo $v > $f; else echo "refused: $f ($v): $(cat /tmp/e)"; fi; fi`),
    shell('sysrq-trigger', "write 'h' (help: harmless) to /proc/sysrq-trigger", () => String.raw`if [ -e /proc/sysrq-trigger ]; then if ( echo h > /proc/sysrq-trigger ) 2>/tmp/e; then hit "wrote /proc/sysrq-trigger"; else echo "refused: $(cat /tmp/e)"; fi; else echo "no /proc/sysrq-trigger"; fi`),
    shell('init-module', 'load a kernel module (init_module)', () => moduleSyscall(175, '$m, 64, $p')),
    shell('finit-module', 'load a kernel module from a file (finit_module; what insmod/modprobe call)', () => moduleSyscall(313, 'fileno($f), $p, 0')),
    shell('mknod-block', "mknod the host's disk (block 254:0) and read its first sector", () => String.raw`
if mknod /tmp/vda b 254 0 2>/tmp/e; then echo "mknod made /tmp/vda"; n=$(dd if=/tmp/vda bs=512 count=1 2>/tmp/e | wc -c); echo "read $n bytes: $(cat /tmp/e | head -c 100)"; [ "$n" -gt 0 ] && hit "read $n bytes of the host disk"; rm -f /tmp/vda; else echo "refused: mknod: $(cat /tmp/e)"; fi`),
    shell('mknod-mem', 'mknod /dev/mem (char 1:1) and read physical memory', () => String.raw`
if mknod /tmp/mem c 1 1 2>/tmp/e; then n=$(head -c 16 /tmp/mem 2>/tmp/e | wc -c); echo "read $n bytes: $(cat /tmp/e | head -c 100)"; [ "$n" -gt 0 ] && hit "read $n bytes of /dev/mem"; rm -f /tmp/mem; else echo "refused: mknod: $(cat /tmp/e)"; fi`),
    shell('raw-socket', 'open a raw IP socket (ICMP)', () => sock(2, 3, 1, 'raw IPv4')),
    shell('packet-socket', 'open a packet socket (AF_PACKET: sniff and forge frames on the pod link)', () => sock(17, 3, 768, 'AF_PACKET')),
    shell('sa-token', "read a service account token mounted in the pod", () => String.raw`for f in /var/run/secrets/kubernetes.io/serviceaccount/token /run/secrets/kubernetes.io/serviceaccount/token; do [ -e $f ] && hit "token at $f ($(wc -c < $f) bytes)"; done; echo "no token mounted"`),
    shell('host-files-exec', "read the cluster's host files (tokens.csv, kubeconfigs, CA key, state dir)", hostFiles, 'exec'),
    shell('host-files-terminal', "read the cluster's host files from the app's terminal", hostFiles, 'terminal'),
    shell('host-files-ssh', "read the cluster's host files from an SSH gateway login", hostFiles, 'ssh'),
    {
      id: 'host-files-check',
      what: "read the cluster's host files from a lab check (the instructor's runner, the node's own sandbox)",
      path: 'checks',
      run: async (rig) => {
        const run = await tryCheck(rig.cluster, streamingExec(rig.adminKc), rig.attacker.namespace, { id: 'host-files', title: 'host files', node: 'box', script: PRELUDE + hostFiles(rig) + EPILOGUE });
        return summarize({ stdout: run.output, status: `check ${run.status}${run.message ? `: ${run.message}` : ''}` });
      },
      verdict: (raw) => (hasHit(raw) ? 'succeeded' : 'refused'),
    },
    shell('kubelet-node-address', "the kubelet's API (pods, exec) on the node address 10.77.0.1, no credentials", (rig) => curlBody('kubelet', `https://10.77.0.1:${rig.facts.kubeletPort}/pods`, 'PodList') + curlBody('kubelet', `https://10.77.0.1:${rig.facts.kubeletPort}/runningpods/`, 'PodList')),
    shell('kubelet-bridge-gateway', "the kubelet's API on the bridge gateway 10.244.0.1 and the usual ports 10250/10255", (rig) => [`https://10.244.0.1:${rig.facts.kubeletPort}/pods`, 'https://10.77.0.1:10250/pods', 'https://10.244.0.1:10250/pods', 'http://10.77.0.1:10255/pods', 'http://10.244.0.1:10255/pods'].map((u) => curlBody('kubelet', u, 'PodList')).join('\n')),
    shell('kubelet-healthz-proxy', "the kubelet's healthz and kube-proxy's metrics/healthz ports from the pod", (rig) => [`http://10.77.0.1:${rig.facts.kubeletHealthzPort}/healthz`, 'http://10.77.0.1:10249/metrics', 'http://10.244.0.1:10249/metrics', 'http://10.77.0.1:10256/healthz'].map((u) => curlBody('node', u, 'ok\\|#')).join('\n')),
    shell('etcd', 'etcd (no authentication) on the node address and the bridge gateway', (rig) => [`http://10.77.0.1:${rig.facts.etcdPort}/version`, `http://10.244.0.1:${rig.facts.etcdPort}/version`, 'http://10.77.0.1:2379/version', 'http://10.244.0.1:2379/version'].map((u) => curlBody('etcd', u, 'etcdserver')).join('\n')),
    shell('apiserver-anonymous', 'the API server from the pod without credentials: secrets, on the node address and kubernetes.default', (rig) => curlBody('apiserver', `https://10.77.0.1:${rig.facts.apiserverPort}/api/v1/secrets`, 'SecretList') + curlBody('apiserver', 'https://kubernetes.default.svc/api/v1/secrets', 'SecretList') + curlBody('apiserver', `https://10.244.0.1:${rig.facts.apiserverPort}/api/v1/namespaces`, 'NamespaceList')),
    shell('host-port-sweep', "every TCP port a host process listens on, at 10.77.0.1 and 10.244.0.1: which answer a pod", (rig) => {
      // The API server on the node address is reached on purpose (CoreDNS dials it; docs/cluster.md), and the kubelet must be reachable for the API server: those two answer but require credentials (their own attempts check that).
      const allowed = new Set([rig.facts.apiserverPort, rig.facts.kubeletPort]);
      const ports = rig.facts.listening.filter((p) => !allowed.has(p)).slice(0, 60);
      return String.raw`open=""
for a in 10.77.0.1 10.244.0.1; do for p in ${ports.join(' ')}; do nc -z -w 1 $a $p 2>/dev/null && open="$open $a:$p"; done; done
echo "swept ${ports.length} host ports on 2 addresses"
if [ -n "$open" ]; then for t in $open; do r=$(printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 $(echo $t | tr ':' ' ') 2>/dev/null | head -c 60 | tr '\r\n' '  '); hit "host port $t answers: $r"; done; fi`;
    }),
    shell('metadata', 'the cloud metadata address 169.254.169.254', () => String.raw`
c=$(curl -s -m 3 -o /tmp/o -w '%{http_code}' http://169.254.169.254/latest/meta-data/ 2>&1); echo "metadata -> $c"
[ "$c" != 000 ] && hit "metadata answered $c: $(head -c 80 /tmp/o)"; true`),
    shell('other-student-pods', "the other student's pod IPs (web:8080, box ping)", (rig) => String.raw`
for ip in ${rig.victimIps.web}; do if r=$(nc -w 3 $ip ${PROBE_PORT} </dev/null 2>&1) && [ -n "$r" ]; then hit "other student's web at $ip answered: $r"; else echo "refused: $ip:${PROBE_PORT}"; fi; done
for ip in ${rig.victimIps.box}; do if ping -c 1 -W 2 $ip >/dev/null 2>&1; then hit "other student's box $ip answers ping"; else echo "refused: ping $ip"; fi; done`),
    shell('other-student-dns', "the other student's Service by its cluster DNS name", (rig) => String.raw`
n=web.${rig.victim.namespace}.svc.cluster.local
echo "resolves: $(getent hosts $n | head -1)"
if r=$(nc -w 3 $n ${PROBE_PORT} </dev/null 2>&1) && [ -n "$r" ]; then hit "$n:${PROBE_PORT} answered: $r"; else echo "refused: $n:${PROBE_PORT}"; fi`),
    shell('volume-symlink', "symlinks in the claim pointing at host paths, read back through the volume", (rig) => String.raw`
ln -sfn / /data/hostroot; ln -sfn ${rig.facts.clusterDir}/pki/tokens.csv /data/tokens
if n=$( { wc -c < /data/tokens; } 2>/dev/null); then
  # Inside the container the link resolves in the container's own root; a host file would have the host's content.
  if [ -e ${rig.facts.clusterDir} ]; then hit "read host tokens.csv through the volume ($n bytes)"; fi
fi
echo "links made; /data/tokens -> $(readlink /data/tokens), resolves: $(cat /data/tokens 2>&1 | head -c 60)"`),
    shell('terminal-mount', 'mount proc and unshare from the terminal path', () => `try_ "mount -t proc" mount -t proc proc /tmp/bm\ntry_ "unshare -m" unshare -m true`, 'terminal'),
    shell('ssh-host-services', "the kubelet and etcd from an SSH gateway login", (rig) => curlBody('kubelet', `https://10.77.0.1:${rig.facts.kubeletPort}/pods`, 'PodList') + curlBody('etcd', `http://10.77.0.1:${rig.facts.etcdPort}/version`, 'etcdserver'), 'ssh'),
  ];
}

// ---- the API with the student's own kubeconfig -----------------------------------------------

interface ApiResult {
  status: number;
  body: string;
}

/** One request with the student's credentials, as any HTTP client holding that kubeconfig would make it. */
async function api(kc: KubeConfig, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}), ...headers },
  };
  await kc.applyToHTTPSOptions(opts);
  return withTimeout(new Promise<ApiResult>((resolve, reject) => {
    const req = request(opts, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body !== undefined ? JSON.stringify(body) : undefined);
  }), 30_000, `${method} ${path}`);
}

const apiGot = (r: ApiResult) => {
  let msg = '';
  try {
    const j = JSON.parse(r.body) as { message?: string; kind?: string; items?: unknown[] };
    msg = j.message ?? (j.items ? `${j.kind} of ${j.items.length}` : (j.kind ?? ''));
  } catch {
    msg = r.body.slice(0, 120);
  }
  return `${r.status} ${msg}`.replace(/\s+/g, ' ').slice(0, 300);
};

/** An API attempt that succeeds when the server answers 2xx. */
function apiCall(id: string, what: string, call: (rig: BreakoutRig) => { method: string; path: string; body?: unknown; headers?: Record<string, string> }, cleanup?: (rig: BreakoutRig) => Promise<void>): Attempt {
  return {
    id,
    what,
    path: 'kubeconfig',
    run: async (rig) => {
      const c = call(rig);
      try {
        const r = await api(rig.attacker.kc, c.method, c.path, c.body, c.headers);
        if (r.status >= 200 && r.status < 300) await cleanup?.(rig).catch(() => undefined);
        return { got: `${c.method} ${c.path.replace(rig.attacker.namespace, '<own>').replace(rig.victim.namespace, '<other>')} → ${apiGot(r)}`, output: String(r.status) };
      } catch (err) {
        return { got: `error: ${errorText(err)}`, output: 'error' };
      }
    },
    verdict: (raw) => (/^2\d\d$/.test(raw.output) ? 'succeeded' : 'refused'),
  };
}

/** Rules a SelfSubjectRulesReview lists beyond the self-reviews every authenticated user may make. */
function beyondSelfReview(body: string): string[] {
  const j = JSON.parse(body) as { status?: { resourceRules?: { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[] } };
  return (j.status?.resourceRules ?? [])
    .filter((r) => !(r.apiGroups ?? []).every((g) => g === 'authorization.k8s.io' || g === 'authentication.k8s.io'))
    .map((r) => `${(r.verbs ?? []).join(',')} ${(r.resources ?? []).join(',')}`);
}

const ssrr = (id: string, what: string, ns: (rig: BreakoutRig) => string): Attempt => ({
  id,
  what,
  path: 'kubeconfig',
  run: async (rig) => {
    const namespace = ns(rig);
    const r = await api(rig.attacker.kc, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } });
    if (r.status !== 201 && r.status !== 200) return { got: apiGot(r), output: '' };
    const rules = beyondSelfReview(r.body);
    return { got: `rules in ${namespace.replace(rig.victim.namespace, '<other>')}: ${rules.length ? rules.join('; ') : 'none beyond self-review'}`.slice(0, 300), output: rules.length ? 'granted' : '' };
  },
  verdict: (raw) => (raw.output === 'granted' ? 'succeeded' : 'refused'),
});

const privilegedPod = (ns: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'breakout-priv', namespace: ns },
  spec: {
    hostPID: true,
    hostNetwork: true,
    containers: [{ name: 'c', image: 'alpine:3.20', command: ['sleep', '60'], securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
    volumes: [{ name: 'host', hostPath: { path: '/' } }],
  },
});

/** Port-forward into a pod with the attacker's credentials; an HTTP request is written and any bytes back are the answer. */
async function forward(kc: KubeConfig, namespace: string, pod: string, port: number): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  let received = '';
  let error = '';
  output.on('data', (d: Buffer) => (received += d.toString('utf8')));
  errors.on('data', (d: Buffer) => (error += d.toString('utf8')));
  try {
    const ws = await new PortForward(kc).portForward(namespace, pod, [port], output, errors, input);
    const socket = typeof ws === 'function' ? ws() : ws;
    input.write('GET /version HTTP/1.0\r\n\r\n');
    await new Promise((r) => setTimeout(r, 3000));
    socket?.close();
    input.end();
    return received ? `answered: ${received.slice(0, 80).replace(/\s+/g, ' ')}` : `no answer${error ? `: ${error.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`;
  } catch (err) {
    return `refused: ${errorText(err)}`;
  }
}

function kubeconfigAttempts(): Attempt[] {
  return [
    apiCall('api-own-secrets', 'read Secrets in their own namespace (the SSH keys are stored there)', (rig) => ({ method: 'GET', path: `/api/v1/namespaces/${rig.attacker.namespace}/secrets` })),
    apiCall('api-system-secrets', 'read Secrets in kube-system', () => ({ method: 'GET', path: '/api/v1/namespaces/kube-system/secrets' })),
    apiCall('api-all-secrets', 'list Secrets across the cluster', () => ({ method: 'GET', path: '/api/v1/secrets' })),
    apiCall('api-other-pods', "list the other student's pods", (rig) => ({ method: 'GET', path: `/api/v1/namespaces/${rig.victim.namespace}/pods` })),
    {
      id: 'api-exec-other',
      what: "exec into the other student's pod",
      path: 'kubeconfig',
      run: async (rig) => {
        const r = await rig.exec(rig.attacker.kc, rig.victim.namespace, 'box', ['id'], 30_000);
        return { got: `${r.stdout.trim().slice(0, 80)} [${r.status}]`.slice(0, 300), output: r.status };
      },
      verdict: (raw) => (raw.output === 'exit 0' ? 'succeeded' : 'refused'),
    },
    apiCall('api-token-request', 'TokenRequest for their own service account (a fresh, longer token)', (rig) => ({ method: 'POST', path: `/api/v1/namespaces/${rig.attacker.namespace}/serviceaccounts/student/token`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86400 * 365 } } })),
    apiCall('api-token-request-default', "TokenRequest for the namespace's default service account", (rig) => ({ method: 'POST', path: `/api/v1/namespaces/${rig.attacker.namespace}/serviceaccounts/default/token`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } })),
    apiCall('api-impersonate-admin', 'impersonate system:admin in group system:masters', () => ({ method: 'GET', path: '/api/v1/namespaces', headers: { 'Impersonate-User': 'system:admin', 'Impersonate-Group': 'system:masters' } })),
    apiCall('api-impersonate-other', "impersonate the other student's service account", (rig) => ({ method: 'GET', path: `/api/v1/namespaces/${rig.victim.namespace}/pods`, headers: { 'Impersonate-User': `system:serviceaccount:${rig.victim.namespace}:student` } })),
    ssrr('api-rules-system', 'SelfSubjectRulesReview: list what they may do in kube-system', () => 'kube-system'),
    ssrr('api-rules-other', "SelfSubjectRulesReview: list what they may do in the other student's namespace", (rig) => rig.victim.namespace),
    apiCall('api-node-proxy', "the kubelet through the API server's node proxy", () => ({ method: 'GET', path: '/api/v1/nodes/labforge-node/proxy/pods' })),
    apiCall('api-nodes', 'read the Node objects (addresses, images)', () => ({ method: 'GET', path: '/api/v1/nodes' })),
    apiCall('api-privileged-pod', 'create a privileged, hostPID, hostNetwork pod mounting / in their own namespace', (rig) => ({ method: 'POST', path: `/api/v1/namespaces/${rig.attacker.namespace}/pods`, body: privilegedPod(rig.attacker.namespace) }), async (rig) => void (await api(rig.attacker.kc, 'DELETE', `/api/v1/namespaces/${rig.attacker.namespace}/pods/breakout-priv`))),
    apiCall('api-hostport-pod', 'create a pod with a hostPort', (rig) => ({ method: 'POST', path: `/api/v1/namespaces/${rig.attacker.namespace}/pods`, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'breakout-hostport' }, spec: { containers: [{ name: 'c', image: 'alpine:3.20', command: ['sleep', '60'], ports: [{ containerPort: 80, hostPort: 8088 }] }] } } })),
    apiCall('api-nodeport', 'create a NodePort Service', (rig) => ({ method: 'POST', path: `/api/v1/namespaces/${rig.attacker.namespace}/services`, body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'breakout-np' }, spec: { type: 'NodePort', selector: { 'labforge.dev/node': 'box' }, ports: [{ port: 80 }] } } })),
    apiCall('api-patch-namespace', 'relabel their own namespace to Pod Security privileged', (rig) => ({ method: 'PATCH', path: `/api/v1/namespaces/${rig.attacker.namespace}`, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } } })),
    apiCall('api-bind-admin', 'bind cluster-admin to themselves in their namespace', (rig) => ({ method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${rig.attacker.namespace}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'breakout' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'student', namespace: rig.attacker.namespace }] } })),
    apiCall('api-delete-netpol', "delete their namespace's NetworkPolicies (to reach other students)", (rig) => ({ method: 'DELETE', path: `/apis/networking.k8s.io/v1/namespaces/${rig.attacker.namespace}/networkpolicies` })),
    apiCall('api-csr', 'ask for a node client certificate (CertificateSigningRequest)', () => ({ method: 'POST', path: '/apis/certificates.k8s.io/v1/certificatesigningrequests', body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'breakout' }, spec: { request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth'] } } })),
    apiCall('api-system-configmaps', "read labforge-system's ConfigMaps (class settings, releases)", () => ({ method: 'GET', path: '/api/v1/namespaces/labforge-system/configmaps' })),
    {
      id: 'portforward-host-ports',
      what: "port-forward into their own pod to the API server's, etcd's and the kubelet's host ports",
      path: 'kubeconfig',
      run: async (rig) => {
        const pod = (await rig.podOf(rig.attacker.namespace, 'box')).metadata!.name!;
        const out: string[] = [];
        for (const port of [rig.facts.apiserverPort, rig.facts.etcdPort, rig.facts.kubeletPort]) out.push(`${port}: ${await forward(rig.attacker.kc, rig.attacker.namespace, pod, port)}`);
        return { got: out.join(' | ').slice(0, 400), output: out.join('\n') };
      },
      verdict: (raw) => (/: answered/.test(raw.output) ? 'succeeded' : 'refused'),
    },
    {
      id: 'portforward-other',
      what: "port-forward into the other student's web node",
      path: 'kubeconfig',
      run: async (rig) => {
        const pod = (await rig.podOf(rig.victim.namespace, 'web')).metadata!.name!;
        const r = await forward(rig.attacker.kc, rig.victim.namespace, pod, PROBE_PORT);
        return { got: r, output: r };
      },
      verdict: (raw) => (raw.output.startsWith('answered') ? 'succeeded' : 'refused'),
    },
  ];
}

// ---- the SSH gateway and the terminal service beyond the shell ------------------------------

/** Opens a direct-tcpip channel (ssh -L / -W) through the gateway to a host address. */
function sshForward(rig: BreakoutRig, host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    const done = (s: string) => { client.end(); resolve(s); };
    const timer = setTimeout(() => done('no answer in 20 s'), 20_000);
    client.on('error', (err) => { clearTimeout(timer); done(`error: ${errorText(err)}`); });
    client.on('ready', () => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (err) { clearTimeout(timer); done(`refused: ${errorText(err)}`); return; }
        let got = '';
        stream.on('data', (d: Buffer) => (got += d.toString()));
        stream.write('GET /version HTTP/1.0\r\n\r\n');
        setTimeout(() => { clearTimeout(timer); done(`opened; answered: ${got.slice(0, 80).replace(/\s+/g, ' ')}`); }, 3000);
      });
    });
    client.connect(rig.sshLogin());
  });
}

function gatewayAttempts(): Attempt[] {
  return [
    {
      id: 'ssh-other-student',
      what: "log in through the gateway as the other student with one's own key",
      path: 'ssh',
      run: async (rig) => {
        const r = await rig.shSsh('hostname', rig.victim.id, 30_000);
        return { got: `${r.stdout.trim().slice(0, 200)} [${r.status}]`, output: r.status };
      },
      verdict: (raw) => (raw.output === 'exit 0' ? 'succeeded' : 'refused'),
    },
    {
      id: 'ssh-forward-apiserver',
      what: "ssh -L through the gateway to the API server on the node address",
      path: 'ssh',
      run: async (rig) => {
        const r = await sshForward(rig, '10.77.0.1', rig.facts.apiserverPort);
        return { got: r, output: r };
      },
      verdict: (raw) => (raw.output.startsWith('opened') ? 'succeeded' : 'refused'),
    },
    {
      id: 'ssh-forward-etcd',
      what: 'ssh -L through the gateway to etcd on loopback',
      path: 'ssh',
      run: async (rig) => {
        const r = await sshForward(rig, '127.0.0.1', rig.facts.etcdPort);
        return { got: r, output: r };
      },
      verdict: (raw) => (raw.output.startsWith('opened') ? 'succeeded' : 'refused'),
    },
    {
      id: 'terminal-other-student',
      what: "open a terminal in the other student's node with one's own credentials",
      path: 'terminal',
      run: async (rig) => {
        const r = await rig.openTerminal(rig.victim.namespace, 'box');
        return { got: r.replace(rig.victim.namespace, '<other>'), output: r };
      },
      verdict: (raw) => (raw.output.startsWith('opened') ? 'succeeded' : 'refused'),
    },
  ];
}

// ---- exhaustion, with the other student's probe -----------------------------------------

/**
 * The other student's check: every 2 s an exec into their box asks their web node for its
 * answer through the lab network and DNS; each round trip is timed. It runs through the same
 * path an instructor's check takes (an exec as the admin).
 */
export class Probe {
  private timer?: ReturnType<typeof setTimeout>;
  private results: { ok: boolean; ms: number; detail: string }[] = [];
  private running = false;
  private inFlight?: Promise<void>;

  constructor(private readonly rig: BreakoutRig) {}

  start(): void {
    this.results = [];
    this.running = true;
    // The pod is looked up once per round, outside the timing: what is timed is the exec's round trip.
    let pod: string | undefined;
    const tick = async () => {
      if (!this.running) return;
      pod ??= await this.rig.podOf(this.rig.victim.namespace, 'box').then((p) => p.metadata!.name!, () => undefined);
      const t0 = Date.now();
      const r = pod
        ? await this.rig.execPod(this.rig.adminKc, this.rig.victim.namespace, pod, 'box', ['sh', '-c', `nc -w 3 web ${PROBE_PORT} </dev/null`], 20_000)
        : { stdout: '', status: 'error: the pod of box was not found' };
      // A failed exec may mean the pod was replaced: look it up again next time.
      if (r.status !== 'exit 0') pod = undefined;
      const ms = Date.now() - t0;
      const ok = r.status === 'exit 0' && r.stdout.includes('web-ok');
      this.results.push({ ok, ms, detail: ok ? '' : `${r.stdout.trim().slice(0, 80)} [${r.status}]` });
      if (this.running) this.timer = setTimeout(() => { this.inFlight = tick(); }, Math.max(0, 2000 - ms));
    };
    this.inFlight = tick();
  }

  async stop(): Promise<ProbeStats> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    const ms = this.results.map((r) => r.ms).sort((a, b) => a - b);
    const failed = this.results.filter((r) => !r.ok);
    return {
      probes: this.results.length,
      failed: failed.length,
      p95Ms: ms.length ? ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)]! : 0,
      maxMs: ms.at(-1) ?? 0,
      ...(failed[0] ? { firstFailure: failed[0].detail } : {}),
    };
  }
}

export const probeHolds = (p: ProbeStats) => p.probes > 0 && p.failed === 0 && p.p95Ms < 1000;
const probeText = (p: ProbeStats) => `other student's probe: ${p.probes - p.failed}/${p.probes} passed, exec p95 ${p.p95Ms} ms, max ${p.maxMs} ms${p.firstFailure ? `, first failure: ${p.firstFailure}` : ''}`;

/** An exhaustion attempt: the attack runs while the probe does; it succeeds if it hit its own mark or the probe failed or slowed past 1 s. */
function exhaustion(id: string, what: string, script: (rig: BreakoutRig) => string): Attempt {
  return {
    id,
    what,
    path: 'exec',
    exhaustion: true,
    run: async (rig) => {
      const probe = new Probe(rig);
      probe.start();
      // Let the probe take a few samples before the attack starts too.
      await new Promise((r) => setTimeout(r, 2500));
      // The probe watches for at least 12 s from the attack's start, and 2.5 s past its end:
      // an attack that ends fast (an OOM kill) still gets several probes during and after it.
      const until = Date.now() + 12_000;
      const r = await rig.shExec(PRELUDE + script(rig) + EPILOGUE, 'box', 180_000);
      await new Promise((r) => setTimeout(r, Math.max(2500, until - Date.now())));
      const stats = await probe.stop();
      const s = summarize(r);
      return { got: `${s.got} — ${probeText(stats)}`.slice(0, 600), output: s.output, probe: stats };
    },
    verdict: (raw) => (hasHit(raw) || !raw.probe || !probeHolds(raw.probe) ? 'succeeded' : 'refused'),
  };
}

function exhaustionAttempts(): Attempt[] {
  return [
    exhaustion('fork-bomb', 'fork bomb for 20 s (every child forks two more; the pod has a pids limit)', () => String.raw`
# While the pod's pids are exhausted nothing that forks ($(...), sleep, pkill) can be relied on,
# so the bomb is stopped with shell builtins only: every bomb process returns once /tmp/stop
# exists (test is a builtin), and its process group (setsid) is killed with the builtin kill.
rm -f /tmp/stop /tmp/bomb.pgid
sleep 20 & timer=$!
setsid sh -c 'echo $$ > /tmp/bomb.pgid; b() { [ -e /tmp/stop ] && return; b & b & wait; }; b' >/tmp/bomb.out 2>&1 &
wait $timer
: > /tmp/stop
read pg < /tmp/bomb.pgid
for i in 1 2 3 4 5 6 7 8 9 10; do kill -KILL -$pg 2>/dev/null; done
sleep 3
echo "the bomb was stopped; it printed $(grep -c 'fork' /tmp/bomb.out) fork errors; after: $(ls /proc | grep -c '^[0-9]') processes in the pod"`),
    exhaustion('memory', 'allocate 1 GiB against a 128 MiB limit', () => String.raw`
head -c 1073741824 /dev/zero | tail > /dev/null; s=$?
echo "tail ended with status $s"
[ $s -eq 0 ] && hit "held 1 GiB in memory past the 128 MiB limit"; true`),
    exhaustion('fill-pvc', `write twice the claim's size (${PVC_SIZE_MIB} MiB) into the PVC`, () => String.raw`
dd if=/dev/zero of=/data/fill bs=1M count=${PVC_SIZE_MIB * 2} 2>/tmp/e; s=$?; n=$(( $(wc -c < /data/fill 2>/dev/null || echo 0) / 1048576 )); rm -f /data/fill
echo "dd status $s, wrote $n MiB into a ${PVC_SIZE_MIB} MiB claim: $(tail -1 /tmp/e)"
[ $n -gt ${PVC_SIZE_MIB} ] && hit "wrote $n MiB into a ${PVC_SIZE_MIB} MiB claim: its size is not enforced"; true`),
    exhaustion('cpu-spin', 'spin 4 busy loops for 20 s (the node has 2 cores)', () => String.raw`
for i in 1 2 3 4; do timeout 20 sh -c 'while :; do :; done' & done; wait
echo "spun 4 loops for 20 s"`),
  ];
}

/** Every attempt, in the order a full run makes them; those that end the attacker's pod go last. */
export function allAttempts(): Attempt[] {
  return [...shellAttempts(), ...kubeconfigAttempts(), ...gatewayAttempts(), ...exhaustionAttempts(), fillWritableLayer(), volumeRestart()];
}

/**
 * Four times the scratch space into the writable layer (on the node's disk). The kubelet measures
 * it every few seconds and evicts the pod past its limit, so the write may finish before the
 * eviction: the verdict is whether the pod was evicted for it, not how far dd got. The exec
 * ends with the pod; the other student's probe runs throughout.
 */
function fillWritableLayer(): Attempt {
  const mib = SCRATCH_MIB * 4;
  return {
    id: 'fill-writable-layer',
    what: `write ${mib} MiB into the container's writable layer (its scratch space is ${SCRATCH_MIB} MiB)`,
    path: 'exec',
    exhaustion: true,
    restartsPod: true,
    run: async (rig) => {
      const old = (await rig.podOf(rig.attacker.namespace, 'box')).metadata!;
      const probe = new Probe(rig);
      probe.start();
      await new Promise((r) => setTimeout(r, 2500));
      const r = await rig.shExec(String.raw`dd if=/dev/zero of=/tmp/fill bs=1M count=${mib} 2>/tmp/e; echo "dd status $?, wrote $(( $(wc -c < /tmp/fill) / 1048576 )) MiB"; sleep 60; echo "still running 60 s later"`, 'box', 180_000);
      const { until } = await import('./rig');
      // Evicted: the pod failed with reason Evicted (the StatefulSet then makes a new one).
      const evicted = await until('the box pod to be evicted', async () => {
        const pod = await rig.cluster.read({ apiVersion: 'v1', kind: 'Pod' }, old.name!, rig.attacker.namespace) as { metadata?: { uid?: string }; status?: { reason?: string; message?: string } } | undefined;
        if (pod && pod.metadata?.uid === old.uid && pod.status?.reason === 'Evicted') return `evicted: ${pod.status.message ?? ''}`;
        if (pod && pod.metadata?.uid === old.uid) return undefined;
        // Gone already (the StatefulSet replaced it): the kubelet's event says why.
        const events = await rig.cluster.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: rig.attacker.namespace, fieldSelector: `involvedObject.uid=${old.uid}` }) as { items: { reason?: string; message?: string }[] };
        const ev = events.items.find((e) => e.reason === 'Evicted');
        return ev ? `evicted: ${ev.message ?? ''}` : 'replaced (no eviction event: not counted as bounded)';
      }, 30_000, 1000).catch(() => '');
      await new Promise((res) => setTimeout(res, 2500));
      const stats = await probe.stop();
      const wrote = /wrote (\d+) MiB/.exec(r.stdout)?.[1] ?? '?';
      const output = evicted.startsWith('evicted')
        ? `dd wrote ${wrote} MiB; the pod was ${evicted}`
        : `BREAKOUT wrote ${wrote} MiB past a ${SCRATCH_MIB} MiB scratch limit and the pod was not evicted for it${evicted ? ` (${evicted})` : ''} [${r.status}]`;
      await rig.podOf(rig.attacker.namespace, 'box', 240_000);
      return { got: `${output} — ${probeText(stats)}`.replace(/\s+/g, ' ').slice(0, 600), output, probe: stats };
    },
    verdict: (raw) => (hasHit(raw) || !raw.probe || !probeHolds(raw.probe) ? 'succeeded' : 'refused'),
  };
}

/** Symlinks in the claim survive a pod restart: the kubelet mounts the claim again, and the new pod reads through the links. */
function volumeRestart(): Attempt {
  return {
    id: 'volume-symlink-restart',
    what: 'symlinks to host paths left in the claim, read by the next pod after a restart (the kubelet mounts the claim again)',
    path: 'exec',
    restartsPod: true,
    run: async (rig) => {
      const d = rig.facts.clusterDir;
      await rig.shExec(`ln -sfn ${d}/pki/tokens.csv /data/tokens; ln -sfn / /data/hostroot`);
      const old = (await rig.podOf(rig.attacker.namespace, 'box')).metadata!;
      await api(rig.attacker.kc, 'DELETE', `/api/v1/namespaces/${rig.attacker.namespace}/pods/${old.name}`);
      const { until } = await import('./rig');
      await until('the new box pod', async () => ((await rig.podOf(rig.attacker.namespace, 'box', 180_000)).metadata!.uid !== old.uid ? true : undefined), 240_000, 1000);
      const r = await rig.shExec(PRELUDE + String.raw`
ls -la /data | head -5
if [ -e ${d} ] || [ -e /data/hostroot${d} ]; then hit "the host's state dir is reachable through the claim's links"; fi
if n=$( { wc -c < /data/tokens; } 2>/dev/null); then [ -e ${d} ] && hit "read tokens.csv ($n bytes)"; fi
echo "after the restart, /data/tokens: $(cat /data/tokens 2>&1 | head -c 60)"` + EPILOGUE);
      return summarize(r);
    },
    verdict: (raw) => (hasHit(raw) ? 'succeeded' : 'refused'),
  };
}

/** The CI-sized part: 27 attempts over all five paths, the exhaustion attempts that found something among them. */
export const CI_SUBSET = [
  'mount-proc', 'unshare-mount', 'nsenter-pid1', 'sysctl-core-pattern', 'sysrq-trigger', 'mknod-block', 'kubelet-node-address', 'etcd',
  'host-files-exec', 'host-files-terminal', 'host-files-ssh', 'other-student-pods',
  'api-system-secrets', 'api-impersonate-admin', 'api-exec-other', 'portforward-host-ports',
  'ssh-other-student', 'ssh-forward-apiserver', 'terminal-other-student', 'memory',
  // The findings of the first runs, each kept as a case (docs/security.md, "Findings").
  'unshare-user', 'raw-socket', 'packet-socket', 'fill-pvc', 'sa-token', 'host-files-check', 'fill-writable-layer',
];
