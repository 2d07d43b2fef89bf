// Runs cyclonus's synthetic probe (`cyclonus analyze --mode probe`) over NetworkPolicies and a pod
// model, and reads back its reachability matrices. cyclonus is an independent implementation of
// NetworkPolicy semantics (it shares no code with Labforge), so its verdict judges our policies
// rather than restating them. It runs without a cluster: `--all-namespaces=false` keeps it from
// reading one.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type Protocol = 'TCP' | 'UDP';
export interface PortProtocol {
  port: number;
  protocol: Protocol;
}

export interface ModelPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

export interface ProbeInput {
  /** NetworkPolicy objects as the API server holds them (only metadata.name/namespace and spec are passed on). */
  policies: Array<{ metadata?: { name?: string; namespace?: string }; spec?: unknown }>;
  /** Namespace name → its labels. */
  namespaces: Record<string, Record<string, string>>;
  pods: ModelPod[];
  probes: PortProtocol[];
}

/** `matrix[i].get("from\u0000to")`: whether cyclonus allows from → to on probes[i]. */
export type ProbeResult = Array<Map<string, boolean>>;

export const pairKey = (from: string, to: string) => `${from}\u0000${to}`;
export const podKey = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

const run = promisify(execFile);

export async function cyclonusProbe(cyclonus: string, input: ProbeInput): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'labforge-cyclonus-'));
  try {
    const policyDir = join(dir, 'policies');
    await run('mkdir', [policyDir]);
    const items = input.policies.map((p) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace },
      spec: p.spec,
    }));
    await writeFile(join(policyDir, 'policies.json'), JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items }));
    // Every pod serves every probed port, so each probe yields a verdict for every ordered pair
    // (cyclonus marks a pair whose target serves nothing on the port as invalid instead).
    const containers = input.probes.map((p) => ({ Name: `c-${p.protocol.toLowerCase()}-${p.port}`, Port: p.port, Protocol: p.protocol, PortName: `${p.protocol.toLowerCase()}-${p.port}` }));
    const model = {
      Probes: input.probes.map((p) => ({ Protocol: p.protocol, Port: p.port })),
      Resources: {
        Namespaces: input.namespaces,
        Pods: input.pods.map((p, i) => ({
          Namespace: p.namespace,
          Name: p.name,
          Labels: p.labels,
          IP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          Containers: containers,
        })),
      },
    };
    const probePath = join(dir, 'probe.json');
    await writeFile(probePath, JSON.stringify(model));
    const { stdout } = await run(cyclonus, ['analyze', '--all-namespaces=false', '--mode', 'probe', '--policy-path', policyDir, '--probe-path', probePath, '-v', 'warn'], {
      maxBuffer: 256 * 1024 * 1024,
    });
    const tables = combinedTables(stdout);
    // One table per probe, then one for the (absent) cluster's own pods.
    if (tables.length < input.probes.length) throw new Error(`cyclonus printed ${tables.length} combined tables for ${input.probes.length} probes:\n${stdout.slice(0, 2000)}`);
    const expectedPods = new Set(input.pods.map(podKey));
    return tables.slice(0, input.probes.length).map((t, i) => {
      const rows = new Set(t.keys());
      if (rows.size !== expectedPods.size || [...expectedPods].some((k) => !rows.has(k))) {
        throw new Error(`cyclonus's matrix for ${input.probes[i]!.port}/${input.probes[i]!.protocol} has rows ${[...rows].join(', ')}, expected ${[...expectedPods].join(', ')}`);
      }
      const out = new Map<string, boolean>();
      for (const [from, cells] of t) for (const [to, v] of cells) out.set(pairKey(from, to), v);
      return out;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The "Combined:" matrices of the probe output: rows are sources, columns are destinations in the
 * same order (cyclonus sorts the pod names once for both; its header is upper-cased, so the
 * columns are checked against the rows, not read from the header). '.' allowed, 'X' blocked.
 */
export function combinedTables(stdout: string): Array<Map<string, Map<string, boolean>>> {
  const lines = stdout.split('\n');
  const tables: Array<Map<string, Map<string, boolean>>> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== 'Combined:') continue;
    const header = cells(lines[i + 2] ?? '');
    const rows: string[][] = [];
    for (let j = i + 4; j < lines.length && lines[j]!.startsWith('|'); j++) rows.push(cells(lines[j]!));
    const names = rows.map((r) => r[0]!);
    if (header.slice(1).join(' ') !== names.map((n) => n.toUpperCase()).join(' ')) {
      throw new Error(`cyclonus table header ${header.join(' ')} does not match its rows ${names.join(' ')}`);
    }
    const table = new Map<string, Map<string, boolean>>();
    for (const r of rows) {
      const m = new Map<string, boolean>();
      r.slice(1).forEach((v, k) => {
        if (v !== '.' && v !== 'X') throw new Error(`cyclonus verdict '${v}' for ${r[0]} → ${names[k]} is neither allowed nor blocked`);
        m.set(names[k]!, v === '.');
      });
      table.set(r[0]!, m);
    }
    tables.push(table);
  }
  return tables;
}

function cells(line: string): string[] {
  return line.split('|').slice(1, -1).map((c) => c.trim());
}
