import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lateFifo } from '../../test/helpers/late-fifo';
import { KubeError } from './errors';
import { HttpStatusError, KubeHttp } from './http';
import { loadKubeConfig } from './kubeconfig';
import { kubeconfigFiles, loadKubeAccess, readLiteKubeConfig } from './kubeconfig-lite';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-lite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(name: string, text: string, mode?: number): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  if (mode !== undefined) chmodSync(p, mode);
  return p;
}

/** A one-context kubeconfig around one cluster body and one user body. */
function config(cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return file(
    `config-${++n}.yaml`,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'work' } }],
      'current-context': 'ctx',
      ...extra,
    }),
  );
}

async function options(kubeconfig: string): Promise<https.RequestOptions & { headers: Record<string, string> }> {
  const opts: https.RequestOptions = { headers: {} };
  await loadKubeAccess({ kubeconfig }).applyToHTTPSOptions(opts);
  return opts as https.RequestOptions & { headers: Record<string, string> };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('merging several files (KUBECONFIG)', () => {
  const a = file('a.yaml', stringify({ clusters: [{ name: 'shared', cluster: { server: 'https://first:6443' } }], users: [{ name: 'shared', user: { token: 'first' } }], contexts: [{ name: 'one', context: { cluster: 'shared', user: 'shared' } }] }));
  const b = file(
    'b.yaml',
    stringify({
      clusters: [
        { name: 'shared', cluster: { server: 'https://second:6443' } },
        { name: 'other', cluster: { server: 'https://other:6443' } },
      ],
      users: [{ name: 'shared', user: { token: 'second' } }],
      contexts: [
        { name: 'one', context: { cluster: 'other', user: 'shared' } },
        { name: 'two', context: { cluster: 'other', user: 'shared', namespace: 'ns2' } },
      ],
      'current-context': 'one',
    }),
  );
  const c = file('c.yaml', stringify({ contexts: [], 'current-context': 'two' }));

  it('the first file that names an entry wins, as kubectl merges', async () => {
    const kc = readLiteKubeConfig({}, { KUBECONFIG: [a, b].join(':') });
    expect(kc.getContexts().map((x) => x.name)).toEqual(['one', 'two']);
    expect(kc.getCurrentCluster()?.server).toBe('https://first:6443');
    const opts: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    expect((opts.headers as Record<string, string>)['Authorization']).toBe('Bearer first');
  });

  it('current-context comes from the first file that sets it', () => {
    expect(readLiteKubeConfig({}, { KUBECONFIG: [a, c, b].join(':') }).getCurrentContext()).toBe('two');
    expect(readLiteKubeConfig({}, { KUBECONFIG: [a, b, c].join(':') }).getCurrentContext()).toBe('one');
  });

  it('skips missing files of the list, fails when none exists', () => {
    expect(readLiteKubeConfig({}, { KUBECONFIG: [join(dir, 'nope.yaml'), b].join(':') }).getCurrentContext()).toBe('one');
    expect(() => readLiteKubeConfig({}, { KUBECONFIG: [join(dir, 'nope.yaml'), join(dir, 'nope2.yaml')].join(':') })).toThrow(/none of the files in KUBECONFIG exist/);
  });

  it('a named file wins over KUBECONFIG; without either, ~/.kube/config', () => {
    expect(kubeconfigFiles({ kubeconfig: a }, { KUBECONFIG: b })).toEqual([a]);
    expect(kubeconfigFiles({}, { KUBECONFIG: `${a}::${b}` })).toEqual([a, b]);
    expect(kubeconfigFiles({}, {}, join(dir, 'no-home'))).toEqual([]);
  });

  it('picks a named context and keeps its namespace', () => {
    const kc = loadKubeAccess({ context: 'two' }, { KUBECONFIG: b });
    expect(kc.getCurrentContext()).toBe('two');
    expect(kc.getContextObject('two')?.namespace).toBe('ns2');
  });
});

describe('errors keep the wording of loadKubeConfig', () => {
  it('a missing file names it', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadKubeAccess({ kubeconfig: missing })).toThrow(`cannot load the kubeconfig ${missing}: the kubeconfig does not exist`);
  });

  it('an unknown context lists the known ones', () => {
    const err = (() => {
      try {
        loadKubeAccess({ kubeconfig: config({}, { token: 't' }), context: 'elsewhere' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toBe('context "elsewhere" is not in the kubeconfig; choose one of: ctx');
    expect((err as KubeError).hint).toBe('choose-context');
  });

  it('no current cluster says so', () => {
    const p = config({}, { token: 't' }, { 'current-context': 'absent' });
    expect(() => loadKubeAccess({ kubeconfig: p })).toThrow('the kubeconfig has no current cluster; choose a kubeconfig or context that has one, or start a local cluster');
  });

  it('malformed YAML names the file', () => {
    const p = file('bad.yaml', 'clusters: {a: [\n');
    expect(() => loadKubeAccess({ kubeconfig: p })).toThrow(/cannot load the kubeconfig .*bad\.yaml/);
    const q = file('bad2.yaml', stringify({ clusters: [{ cluster: { server: 'x' } }] }));
    expect(() => loadKubeAccess({ kubeconfig: q })).toThrow(/bad2\.yaml: clusters\[0\] has no name/);
  });
});

describe('TLS options and credentials', () => {
  it('relative paths resolve against the kubeconfig file', async () => {
    file('ca.pem', 'CA-PEM');
    file('client.crt', 'CERT-PEM');
    file('client.key', 'KEY-PEM');
    file('token.txt', 'file-token\n');
    const p = config({ 'certificate-authority': 'ca.pem' }, { 'client-certificate': 'client.crt', 'client-key': './client.key', tokenFile: 'token.txt' });
    const kc = loadKubeAccess({ kubeconfig: p });
    expect(kc.getCurrentCluster()?.caFile).toBe(join(dir, 'ca.pem'));
    const opts = await options(p);
    expect(String(opts.ca)).toBe('CA-PEM');
    expect(String(opts.cert)).toBe('CERT-PEM');
    expect(String(opts.key)).toBe('KEY-PEM');
    expect(opts.headers['Authorization']).toBe('Bearer file-token');
  });

  it('*-data fields are base64; insecure-skip-tls-verify and tls-server-name reach the TLS options', async () => {
    const p = config({ 'certificate-authority-data': b64('CA'), 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' }, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') });
    const kc = loadKubeAccess({ kubeconfig: p });
    expect(kc.getCurrentCluster()).toEqual({ name: 'c', server: 'https://127.0.0.1:6443', caData: b64('CA'), skipTLSVerify: true, tlsServerName: 'api.internal' });
    const opts = await options(p);
    expect(String(opts.ca)).toBe('CA');
    expect(String(opts.cert)).toBe('CERT');
    expect(String(opts.key)).toBe('KEY');
    expect(opts.rejectUnauthorized).toBe(false);
    expect(opts.servername).toBe('api.internal');
    expect(opts.headers['Authorization']).toBeUndefined();
  });

  it('a token is a bearer token; username and password are basic auth; `as` impersonates', async () => {
    expect((await options(config({}, { token: 'abc', as: 'jane' }))).headers).toEqual({ Authorization: 'Bearer abc', 'Impersonate-User': 'jane' });
    expect((await options(config({}, { username: 'admin', password: 's3cret' }))).headers['Authorization']).toBe(`Basic ${b64('admin:s3cret')}`);
    // Verification stays on unless the kubeconfig turns it off.
    expect((await options(config({}, { token: 'abc' }))).rejectUnauthorized).toBeUndefined();
  });
});

describe('exec credential plugins', () => {
  const counter = join(dir, 'runs');
  /** A plugin that counts its runs and prints an ExecCredential built from its arguments and env. */
  const plugin = file(
    'plugin.sh',
    `#!/bin/sh
echo run >> "${counter}"
if [ "$1" = fail ]; then echo "login required: run sso-login" >&2; exit 3; fi
if [ "$1" = garbage ]; then echo not json; exit 0; fi
if [ "$1" = cert ]; then printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"EXEC-CERT","clientKeyData":"EXEC-KEY"}}' "$API"; exit 0; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s-%s","expirationTimestamp":"%s"}}' "$API" "$1" "$(echo "$KUBERNETES_EXEC_INFO" | grep -c '"interactive":false')" "$EXPIRES"
`,
    0o755,
  );
  const runs = () => {
    try {
      return readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  const execUser = (apiVersion: string, args: string[], expires: string, command = plugin) => ({
    exec: { apiVersion, command, args, env: [{ name: 'API', value: apiVersion }, { name: 'EXPIRES', value: expires }] },
  });

  it('runs the command with args and env (v1), uses its token and caches it until it expires', async () => {
    const before = runs();
    const kc = loadKubeAccess({ kubeconfig: config({}, execUser('client.authentication.k8s.io/v1', ['tok'], new Date(Date.now() + 3_600_000).toISOString())) });
    const first: https.RequestOptions = {};
    const second: https.RequestOptions = {};
    await Promise.all([kc.applyToHTTPSOptions(first), kc.applyToHTTPSOptions(second)]);
    await kc.applyToHTTPSOptions({});
    // KUBERNETES_EXEC_INFO said non-interactive: the token's suffix counts that line.
    expect((first.headers as Record<string, string>)['Authorization']).toBe('Bearer tok-1');
    expect((second.headers as Record<string, string>)['Authorization']).toBe('Bearer tok-1');
    expect(runs() - before).toBe(1);
  });

  it('runs it again once the credential has expired (v1beta1)', async () => {
    const before = runs();
    const kc = loadKubeAccess({ kubeconfig: config({}, execUser('client.authentication.k8s.io/v1beta1', ['old'], new Date(Date.now() - 1000).toISOString())) });
    await kc.applyToHTTPSOptions({});
    await kc.applyToHTTPSOptions({});
    expect(runs() - before).toBe(2);
  });

  it('takes a client certificate and key from the plugin', async () => {
    const opts = await options(config({}, execUser('client.authentication.k8s.io/v1', ['cert'], '')));
    expect(String(opts.cert)).toBe('EXEC-CERT');
    expect(String(opts.key)).toBe('EXEC-KEY');
    expect(opts.headers['Authorization']).toBeUndefined();
  });

  it('a relative command resolves against the kubeconfig directory', async () => {
    const opts = await options(config({}, execUser('client.authentication.k8s.io/v1', ['rel'], new Date(Date.now() + 3_600_000).toISOString(), './plugin.sh')));
    expect(opts.headers['Authorization']).toBe('Bearer rel-1');
  });

  it('a failing plugin is a config error naming the command, its exit code and its last words; the next request tries again', async () => {
    const kc = loadKubeAccess({ kubeconfig: config({}, execUser('client.authentication.k8s.io/v1', ['fail'], '')) });
    const err = await kc.applyToHTTPSOptions({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).kind).toBe('config');
    expect((err as KubeError).message).toBe(`the credential plugin "${plugin}" of the kubeconfig failed (exit code 3): login required: run sso-login`);
    const before = runs();
    await expect(kc.applyToHTTPSOptions({})).rejects.toThrow(/exit code 3/);
    expect(runs() - before).toBe(1);
  });

  it('a missing command says so with the install hint; output that is not an ExecCredential is refused', async () => {
    const missing = config({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'no-such-plugin-xyz', installHint: 'install it from example.com' } });
    await expect(options(missing)).rejects.toThrow('the credential plugin "no-such-plugin-xyz" of the kubeconfig was not found (install it or fix exec.command); install it from example.com');
    await expect(options(config({}, execUser('client.authentication.k8s.io/v1', ['garbage'], '')))).rejects.toThrow(/did not print an ExecCredential \(its output is not JSON\)/);
    await expect(options(config({}, execUser('client.authentication.k8s.io/v1', ['tok'], 'not-a-time')))).rejects.toThrow(/expirationTimestamp that is not a time/);
  });

  it('refuses an exec block without a command or with a foreign apiVersion', async () => {
    await expect(options(config({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1' } }))).rejects.toThrow('user "u": exec.command is missing');
    await expect(options(config({}, { exec: { apiVersion: 'v1', command: 'x' } }))).rejects.toThrow(/apiVersion "v1" is not a client.authentication.k8s.io version/);
  });
});

describe('a credential the server refuses (401)', () => {
  const counter = join(dir, 'rotating-runs');
  /** Prints token n-<its run number>, with no expiry: kept until the server refuses it. */
  const rotating = file(
    'rotating.sh',
    `#!/bin/sh
echo run >> "${counter}"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"n-%s"}}' "$(wc -l < "${counter}" | tr -d ' ')"
`,
    0o755,
  );
  const runs = () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;

  it('runs the plugin again, once for all the requests it refused, and retries each request once', async () => {
    let accepted = 'Bearer n-2';
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(req.headers.authorization === accepted ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.headers.authorization === accepted ? { kind: 'Status', status: 'Success' } : { kind: 'Status', code: 401, message: 'Unauthorized' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const kc = loadKubeAccess({ kubeconfig: config({ server: `http://127.0.0.1:${port}` }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: rotating } }) });
      const client = new KubeHttp(kc);
      await expect(client.request('GET', '/api')).resolves.toMatchObject({ status: 200 });
      expect(seen).toEqual(['Bearer n-1', 'Bearer n-2']);
      expect(runs()).toBe(2);
      // Kept while the server takes it.
      await client.request('GET', '/api');
      expect(runs()).toBe(2);
      // Revoked under five requests in flight: one more run serves all five retries.
      accepted = 'Bearer n-3';
      seen.length = 0;
      const all = await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/api')));
      expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(runs()).toBe(3);
      expect(seen.filter((a) => a === 'Bearer n-2')).toHaveLength(5);
      // A server that refuses every credential: one retry, then the 401 stands.
      accepted = 'nothing';
      const err = await client.request('GET', '/api').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpStatusError);
      expect((err as HttpStatusError).code).toBe(401);
      expect(runs()).toBe(4);
      client.close();
    } finally {
      server.close();
    }
  });

  it('a static token is not retried; a token file is read again for the retry', () => {
    const opts: https.RequestOptions = { headers: {} };
    expect(loadKubeAccess({ kubeconfig: config({}, { token: 'static' }) }).credentialsRejected?.(opts)).toBe(false);
    expect(loadKubeAccess({ kubeconfig: config({}, { tokenFile: file('token', 'rotated') }) }).credentialsRejected?.(opts)).toBe(true);
  });
});

describe('what it does not handle goes to client-node', () => {
  it('an auth-provider user is authenticated by client-node (gcp with a cached access token)', async () => {
    const p = config({ 'certificate-authority-data': b64('CA') }, { 'auth-provider': { name: 'gcp', config: { 'access-token': 'gcp-token', expiry: new Date(Date.now() + 3_600_000).toISOString() } } });
    const kc = loadKubeAccess({ kubeconfig: p });
    expect(kc.unsupportedUserKeys()).toEqual(['auth-provider']);
    const opts = await options(p);
    expect(opts.headers['Authorization']).toBe('Bearer gcp-token');
    expect(String(opts.ca)).toBe('CA');
  });

  it('the merged entries it hands over keep the chosen context', async () => {
    const p = file(
      'two-users.yaml',
      stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://x:6443' } }],
        users: [
          { name: 'plain', user: { token: 'plain' } },
          { name: 'gcp', user: { 'auth-provider': { name: 'gcp', config: { 'access-token': 'from-gcp', expiry: new Date(Date.now() + 3_600_000).toISOString() } } } },
        ],
        contexts: [
          { name: 'a', context: { cluster: 'c', user: 'plain' } },
          { name: 'b', context: { cluster: 'c', user: 'gcp' } },
        ],
        'current-context': 'a',
      }),
    );
    const opts: https.RequestOptions = {};
    await loadKubeAccess({ kubeconfig: p, context: 'b' }).applyToHTTPSOptions(opts);
    expect((opts.headers as Record<string, string>)['Authorization']).toBe('Bearer from-gcp');
  });
});

describe('every kubeconfig file is read through the bounded reader (issue 32, item 8)', () => {
  // A fresh FIFO each time, its writer late: a reader that waits on it fails on time, not forever.
  let fifos = 0;
  const fifo = () => lateFifo(dir, `kubeconfig-${++fifos}.fifo`);
  const huge = file('huge.yaml', '');
  // 16 MiB and one byte (a literal, so the test does not lean on the limit's own export).
  truncateSync(huge, 16 * 2 ** 20 + 1);
  const refusals: [string, () => string, RegExp][] = [
    ['/dev/zero', () => '/dev/zero', /is a device, not a kubeconfig; give the path of a regular file/],
    ['a FIFO', fifo, /is a named pipe \(FIFO\), not a kubeconfig; give the path of a regular file/],
    ['a directory', () => dir, /is a directory, not a kubeconfig/],
    ['a file over the limit', () => huge, /the kubeconfig is larger than 16 MiB, the most it may be/],
  ];
  // Both readers: the HTTP path's and the one that hands client-node the text (streams, gateway).
  const readers: [string, (o: { kubeconfig: string; kubeconfigFrom: string }) => unknown][] = [
    ['loadKubeAccess', loadKubeAccess],
    ['loadKubeConfig', loadKubeConfig],
  ];
  for (const [reader, load] of readers) {
    for (const [what, pathOf, message] of refusals) {
      it(`${reader} refuses ${what} at once, naming the flag`, () => {
        const path = pathOf();
        const started = Date.now();
        const err = (() => {
          try {
            load({ kubeconfig: path, kubeconfigFrom: '--kubeconfig' });
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(KubeError);
        expect((err as Error).message).toMatch(new RegExp(`^cannot load --kubeconfig ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        expect((err as Error).message).toMatch(message);
        expect(Date.now() - started).toBeLessThan(2000);
      });
    }
  }

  it('names the file of a KUBECONFIG list that is refused', () => {
    const ok = config({}, { token: 't' });
    expect(() => loadKubeAccess({}, { KUBECONFIG: `${ok}:/dev/zero` })).toThrow(/cannot load the kubeconfig \(KUBECONFIG\) .*: \/dev\/zero: is a device/);
  });

  it('refuses a certificate, key or token file that is a FIFO or a device, at the request', async () => {
    for (const [field, value] of [['certificate-authority', fifo()], ['client-certificate', '/dev/zero'], ['tokenFile', fifo()]] as const) {
      const p = field === 'certificate-authority' ? config({ [field]: value }, { token: 't' }) : config({}, { [field]: value, ...(field === 'client-certificate' ? { 'client-key-data': 'eA==' } : {}) });
      await expect(options(p), field).rejects.toThrow(new RegExp(`the kubeconfig's ${field} .*: is a (named pipe \\(FIFO\\)|device)`));
    }
  });

  it('loadKubeConfig still makes the paths a kubeconfig names absolute, against its own folder', () => {
    const p = config({ 'certificate-authority': 'ca.pem' }, { 'client-certificate': 'sub/cert.pem', 'client-key': '/abs/key.pem' });
    const kc = loadKubeConfig({ kubeconfig: p });
    expect(kc.getCurrentCluster()?.caFile).toBe(join(dir, 'ca.pem'));
    expect(kc.getCurrentUser()).toMatchObject({ certFile: join(dir, 'sub/cert.pem'), keyFile: '/abs/key.pem' });
    expect(kc.getContextObject('ctx')?.namespace).toBe('work');
  });
});
