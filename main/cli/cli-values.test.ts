/**
 * Flag and argument values are checked before any request: every bad value below must end the
 * command with exit 2 (or 1) and a message naming the flag, while a listener standing in for
 * the API server counts the connections the command opens. It must count none. A control case
 * (a valid command) proves that the listener does see the connections a command makes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lateFifo as lateFifoIn } from '../../test/helpers/late-fifo';
import { allCommands } from './commands';
import { runCli } from './program';

const root = join(import.meta.dirname, '../..');
const lab = join(root, 'resources/examples/web-db.yaml');
const dir = mkdtempSync(join(tmpdir(), 'lf-values-'));
const kubeconfig = join(dir, 'kubeconfig');
let server: Server;
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: probe, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: probe, user: { token: probe-token } }]
contexts: [{ name: probe, context: { cluster: probe, user: probe } }]
current-context: probe
`,
  );
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const before = connections;
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, allCommands);
  return { code, stdout, stderr, connections: connections - before };
}

const k = ['--kubeconfig', kubeconfig];

/** [argv, what the error must mention]; all exit 2 (usage) unless listed in EXIT_1. */
const BAD: [string[], RegExp][] = [
  // lab@tag
  [['publish', 'x@', '--class', 'c', '--students', '2', ...k], /release tag after '@'.*got ""/],
  [['publish', 'x', '--class', 'c', '--students', '2', ...k], /expected <lab>@<tag>/],
  [['publish', '@v1', '--class', 'c', '--students', '2', ...k], /expected <lab>@<tag>/],
  [['publish', 'web-db@v 1', '--class', 'c', '--students', '2', ...k], /release tag.*"v 1"/],
  [['publish', 'web-db@V1', '--class', 'c', '--students', '2', ...k], /release tag.*"V1"/],
  [['publish', 'web db@v1', '--class', 'c', '--students', '2', ...k], /"web db" is neither a lab file nor a lab name/],
  [['publish', `web-db@${'v'.repeat(41)}`, '--class', 'c', '--students', '2', ...k], /at most 40/],
  [['snapshot', 'web-db', '--tag', 'v 1', ...k], /--tag must be a DNS-1123 label/],
  [['diff', 'v1', 'lab@', ...k], /release tag after '@'/],
  [['diff', 'v1', 'Bad Lab@v2', ...k], /the lab before '@'/],
  [['diff', 'v 1', 'v2', '--lab', 'web-db', ...k], /release tag must be a DNS-1123 label/],
  [['export', 'gitops', 'x@', '--class', 'c', '--students', '2', '-o', join(dir, 'gitops'), ...k], /release tag after '@'/],
  [['export', 'gitops', 'web-db@v1', '--class', 'c', '--students', '2x', '-o', join(dir, 'gitops'), ...k], /--students must be a whole number/],
  [['export', 'gitops', 'web-db@v1', '--class', 'c', '--student', '', '-o', join(dir, 'gitops'), ...k], /--student must be a student id/],
  [['export', 'gitops', 'web-db@v1', '--class', 'c', '--students', '2', '--domain', 'x_y', '-o', join(dir, 'gitops'), ...k], /--domain must be a DNS name/],
  [['export', 'gitops', 'web-db@v1', '--class', 'c', '--students', '2', '-o', '/dev/null', ...k], /^error: -o "\/dev\/null" is not a folder; give a folder to write the tree into/],
  // domain
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--domain', 'not a domain!', ...k], /--domain must be a DNS name.*"not a domain!"/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--domain', 'Labs.Example.EDU', ...k], /--domain/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--domain', 'a..b', ...k], /--domain/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--domain', `${'a'.repeat(120)}.edu`, ...k], /--domain.*at most 125/],
  [['compile', lab, '--domain', 'not a domain!'], /--domain must be a DNS name/],
  // class, lab, namespace names
  [['publish', 'web-db@v1', '--class', 'Bad Class', '--students', '2', ...k], /--class must be a DNS-1123 label/],
  [['status', '--class', '', ...k], /--class must be a DNS-1123 label/],
  [['teardown', '--class', 'c'.repeat(31), ...k], /at most 30/],
  [['releases', '--lab', 'Web_DB', ...k], /--lab must be a DNS-1123 label/],
  [['deploy', lab, '--namespace', 'Bad NS', ...k], /--namespace must be a DNS-1123 label/],
  // students
  [['publish', 'web-db@v1', '--class', 'c', '--student', '', ...k], /--student must be a student id.*got ""/],
  [['publish', 'web-db@v1', '--class', 'c', '--student', 'a b', ...k], /--student must be a student id/],
  [['publish', 'web-db@v1', '--class', 'c', '--student', 'a', '--student', 'a', ...k], /given twice/],
  [['credentials', '--class', 'c', '--student', 'x\u001b[2J', ...k], /--student must be a student id.*\\u001b/],
  [['reset', '--class', 'c', '--student', '', ...k], /--student must be a student id/],
  [['teardown', '--class', 'c', '--student', '.hidden', ...k], /--student must be a student id/],
  [['compile', lab, '--student', 'x y'], /--student must be a student id/],
  // durations
  [['credentials', '--class', 'c', '--student', 's', '--duration', '0', ...k], /--duration must be between 10m and 365d/],
  [['credentials', '--class', 'c', '--student', 's', '--duration', '5m', ...k], /--duration must be between/],
  [['credentials', '--class', 'c', '--student', 's', '--duration', '400d', ...k], /--duration must be between/],
  [['credentials', '--class', 'c', '--student', 's', '--duration', '1y', ...k], /--duration must be a duration/],
  [['credentials', '--class', 'c', '--student', 's', '--duration', '-1h', ...k], /--duration/],
  [['deploy', lab, '--timeout', '0', ...k], /--timeout must be between 1s and 1d/],
  [['deploy', lab, '--timeout', '99999999999999999999d', ...k], /--timeout must be a duration/],
  // counts
  [['publish', 'web-db@v1', '--class', 'c', '--students', '0', ...k], /--students must be a whole number from 1 to 10000/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '1e3', ...k], /--students/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '10001', ...k], /--students/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--concurrency', '0', ...k], /--concurrency must be a whole number from 1 to 256/],
  [['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--concurrency', '100000', ...k], /--concurrency/],
  [['compile', lab, '--students', '-3'], /--students|unknown option/],
  [['compile', lab, '--\u001b]0;owned\u0007x'], /unknown option '--\\u001b\]0;owned\\u0007x'/],
  [['cluster', 'up', '--nodes', '0', '--state-dir', join(dir, 'no-cluster')], /--nodes must be a whole number from 1 to 1000/],
  [['cluster', 'up', '--node-pods', '1e9', '--state-dir', join(dir, 'no-cluster')], /--node-pods/],
  [['cluster', 'up', '--node-cpu', 'lots', '--state-dir', join(dir, 'no-cluster')], /--node-cpu: expected a CPU quantity/],
  [['cluster', 'up', '--forward', '8080', '--state-dir', join(dir, 'no-cluster')], /--forward: invalid forward/],
  // quantities
  [['create', 'vm', '--cpu', '1e40'], /--cpu is above the maximum of 1000.*"1e40"/],
  [['create', 'vm', '--cpu', '0'], /--cpu is below the minimum of 1m/],
  [['create', 'vm', '--cpu', '0.0001'], /--cpu is below the minimum of 1m/],
  [['create', 'vm', '--cpu', ' 1'], /--cpu must not have spaces around it/],
  [['create', 'vm', '--memory', '1Ei'], /--memory is above the maximum of 4Ti/],
  [['create', 'vm', '--memory', '-1Gi'], /--memory is not a valid quantity/],
  [['create', 'vm', '--disk', '1e21'], /--disk is above the maximum of 16Ti/],
  [['create', 'vm', '--disk', 'NaN'], /--disk is not a valid quantity/],
  [['create', 'vm', '--memory', '512Ki'], /--memory is below the minimum of 1Mi/],
];

// Loading the Kubernetes client or the cluster module for the control cases takes seconds on a
// busy machine; what is asserted is the connection count, not the time.
describe('flag values are checked before any request', { timeout: 60_000 }, () => {
  it('a valid command does reach the stand-in API server (the counter works)', async () => {
    const r = await cli(['releases', ...k]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.connections).toBeGreaterThan(0);
  });

  for (const [argv, message] of BAD) {
    it(`${argv.slice(0, 2).join(' ')} … ${argv.filter((a) => a !== kubeconfig).slice(2).join(' ').slice(0, 70)}`, async () => {
      const r = await cli(argv);
      expect([1, 2], r.stderr).toContain(r.code);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.connections).toBe(0);
      // The message is one line per problem; no stack trace, no raw control characters.
      expect(r.stderr).not.toMatch(/\n\s+at .*\(/);
      expect(r.stderr).not.toMatch(/\u001b/);
    });
  }

  it('accepts the edges of each range', async () => {
    for (const argv of [
      ['create', 'vm', '--cpu', '1000', '--memory', '4Ti', '--disk', '16Ti'],
      ['create', 'vm', '--cpu', '1m', '--memory', '1Mi', '--disk', '1Mi'],
      ['compile', lab, '--class', 'c'.repeat(30), '--student', 'A.b_c@d+e-1', '--domain', 'labs.example.edu', '--release', 'v'.repeat(40)],
    ]) {
      const r = await cli(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('every file argument goes through the bounded reader (issue 32, item 8)', { timeout: 60_000 }, () => {
  const lateFifo = (name: string) => lateFifoIn(dir, name);
  const zonesFile = (kubeconfigPath: string) => {
    const p = join(dir, `zones-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(p, `zones:\n  - name: home\n    kubeconfig: ${kubeconfig}\n  - name: far\n    kubeconfig: ${kubeconfigPath}\n`);
    return p;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['keys add with a FIFO', () => ['keys', 'add', '--class', 'c', '--student', 's', lateFifo('key.pub'), ...k], /key\.pub: is a named pipe \(FIFO\), not a public key file; give the path of a regular file/],
    ['--kubeconfig a FIFO (HTTP path)', () => ['status', '--class', 'c', '--kubeconfig', lateFifo('kc-status')], /cannot load --kubeconfig .*kc-status: is a named pipe \(FIFO\), not a kubeconfig/],
    ['--kubeconfig a FIFO (client-node path, the gateway)', () => ['gateway', '--class', 'c', '--listen', '127.0.0.1:0', '--kubeconfig', lateFifo('kc-gateway')], /cannot load --kubeconfig .*kc-gateway: is a named pipe \(FIFO\), not a kubeconfig/],
    ['--kubeconfig /dev/zero', () => ['status', '--class', 'c', '--kubeconfig', '/dev/zero'], /cannot load --kubeconfig \/dev\/zero: is a device, not a kubeconfig/],
    ['a zone whose kubeconfig is a FIFO', () => ['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--zones', zonesFile(lateFifo('kc-zone')), ...k], /zones-\w+\.yaml:5:17: zones\[1\]\.kubeconfig: cannot load zone "far" kubeconfig .*kc-zone: is a named pipe \(FIFO\)/],
    ['a zone whose kubeconfig is /dev/zero', () => ['publish', 'web-db@v1', '--class', 'c', '--students', '2', '--zones', zonesFile('/dev/zero'), ...k], /zones\[1\]\.kubeconfig: cannot load zone "far" kubeconfig \/dev\/zero: is a device/],
    ['--roster a FIFO', () => ['publish', 'web-db@v1', '--class', 'c', '--roster', lateFifo('roster.csv'), ...k], /roster\.csv: is a named pipe \(FIFO\), not a roster/],
  ];
  for (const [what, argv, message] of cases) {
    it(`${what}: refused at once, naming it, before any request`, async () => {
      const started = Date.now();
      const r = await cli(argv());
      // Loading the modules takes a second or two on a busy machine; the late writer comes at 10 s.
      expect(Date.now() - started).toBeLessThan(8000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.connections).toBe(0);
    });
  }
});
