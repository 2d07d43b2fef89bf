/**
 * The Linux capabilities a lab node may ask for, and the ones it may not. Kept apart from
 * pod-security.ts so the schema can name them without importing the level rules.
 */

/**
 * What Pod Security `baseline` lets a container add: the container runtimes' default set.
 * Labforge grants a root node all of these but MKNOD (device nodes have no use in a lab and the
 * device cgroup is all that stands between them and the host's disks) without being asked.
 */
export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
] as const;

/** What a root node runs with when it asks for nothing more (NET_RAW left out: raw and packet sockets forge traffic). */
export const ROOT_DEFAULT_CAPABILITIES = BASELINE_CAPABILITIES.filter((c) => c !== 'MKNOD');

/**
 * Beyond baseline, what labs legitimately teach with: routing and firewalls (NET_ADMIN), ping,
 * traceroute and packet capture (NET_RAW), debuggers (SYS_PTRACE, confined to the pod's own
 * processes by its PID namespace), and a few scheduling and IPC knobs. Each makes the namespace
 * `privileged` in Pod Security's terms; none of them reaches outside the pod's namespaces.
 */
export const EXTRA_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'NET_BROADCAST', 'SYS_PTRACE', 'SYS_NICE', 'SYS_RESOURCE', 'IPC_LOCK', 'IPC_OWNER', 'LEASE'] as const;

export const LAB_CAPABILITIES = [...BASELINE_CAPABILITIES, ...EXTRA_CAPABILITIES] as const;
export type LabCapability = (typeof LAB_CAPABILITIES)[number];

/** Capabilities that act on the host (the kernel, its clock, its devices, its audit and security modules): never granted. */
export const REFUSED_CAPABILITIES: Record<string, string> = {
  SYS_ADMIN: 'mounts, namespaces and much of the kernel: the usual way out of a container',
  SYS_MODULE: 'loads kernel modules into the host',
  SYS_RAWIO: 'raw access to the host\'s devices and I/O ports',
  SYS_BOOT: 'reboots the host',
  SYS_TIME: 'sets the host\'s clock for every pod',
  DAC_READ_SEARCH: 'opens host files by handle, past the container\'s root',
  MAC_ADMIN: 'changes the host\'s security modules',
  MAC_OVERRIDE: 'bypasses the host\'s security modules',
  SYSLOG: 'reads and clears the host\'s kernel log',
  BPF: 'loads programs into the host\'s kernel',
  PERFMON: 'observes every process on the host',
  AUDIT_CONTROL: 'changes the host\'s audit rules',
  AUDIT_READ: 'reads the host\'s audit log',
  BLOCK_SUSPEND: 'keeps the host from suspending',
  WAKE_ALARM: 'sets the host\'s wake-up alarms',
  LINUX_IMMUTABLE: 'marks files immutable on shared filesystems',
  CHECKPOINT_RESTORE: 'checkpoints and restores processes with the host\'s help',
  SYS_PACCT: 'switches the host\'s process accounting',
  SYS_TTY_CONFIG: 'configures the host\'s terminals',
};

/**
 * What a capability name written by a user (a lab file, compose's `cap_add`, containerlab's
 * `cap-add`) comes to: its Kubernetes spelling, and whether a lab node may have it — with the
 * reason when it acts on the host.
 */
export function capabilityVerdict(written: string): { name: string; allowed: boolean; refusedBecause?: string } {
  const name = written.replace(/^CAP_/i, '').toUpperCase();
  const refusedBecause = REFUSED_CAPABILITIES[name];
  if (refusedBecause) return { name, allowed: false, refusedBecause };
  return { name, allowed: (LAB_CAPABILITIES as readonly string[]).includes(name) };
}

/** An importer's warning for a capability a lab node may not have. */
export const capabilityLeftOut = (v: { name: string; refusedBecause?: string }) =>
  `capability ${v.name} is not granted to a lab node${v.refusedBecause ? `: it ${v.refusedBecause}` : ''}; it is left out`;
