// connect() reads kubeconfigs with our own reader (main/kube/kubeconfig-lite.ts), not client-node.
// These tests connect to the real local control plane with each kind of credential it can
// check: the admin kubeconfig's static token, a client certificate, a ServiceAccount token (with a
// CA file given by a relative path) and an exec plugin that prints that token; each lists
// namespaces.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { KubeError } from '../../main/kube/errors';
import { kindOf } from '../../main/kube/cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { LiteKubeConfig } from '../../main/kube/kubeconfig-lite';
import { createTestNamespace, loadTestKubeConfig, randomId, testClusterDir, testKubeconfigPath, type TestNamespace } from './helpers/kube';

const CLUSTER_ROLE = kindOf('rbac.authorization.k8s.io/v1', 'ClusterRole');
const CLUSTER_ROLE_BINDING = kindOf('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding');
const SERVICE_ACCOUNT = kindOf('v1', 'ServiceAccount');

let admin: HttpCluster;
let ns: TestNamespace;
let token: string;
const roleName = `it-kclite-${randomId()}`;
const dir = mkdtempSync(join(tmpdir(), 'kclite-it-'));

beforeAll(async () => {
  admin = connect({ kubeconfig: testKubeconfigPath() });
  ns = await createTestNamespace(loadTestKubeConfig(), 'it-kclite');
  // A ServiceAccount that may list namespaces and nothing else.
  await admin.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: ns.name } });
  await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: roleName }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }] });
  await admin.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns.name }],
  });
  token = (await admin.createToken({ namespace: ns.name, name: 'reader' }, 600)).token;
  // The CA beside the kubeconfig, named by a relative path.
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(admin.identity.caData ?? '', 'base64'));
}, 120_000);

afterAll(async () => {
  await admin?.delete(CLUSTER_ROLE_BINDING, roleName).catch(() => undefined);
  await admin?.delete(CLUSTER_ROLE, roleName).catch(() => undefined);
  await admin?.delete(SERVICE_ACCOUNT, 'reader', ns?.name).catch(() => undefined);
  await ns?.cleanup().catch(() => undefined);
  admin?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig for the test server with one user, written beside ca.crt. */
function kubeconfigWith(user: Record<string, unknown>): string {
  const file = join(dir, `config-${randomId()}`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: admin.identity.server, 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'reader', user }],
      contexts: [{ name: 'reader', context: { cluster: 'local', user: 'reader' } }],
      'current-context': 'reader',
    }),
  );
  return file;
}

/** Who the API server takes the caller to be (a SelfSubjectReview). */
async function whoAmI(cluster: HttpCluster): Promise<{ username?: string; groups?: string[] }> {
  // A review has no name; the server ignores the empty one.
  const review = (await cluster.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { name: '' } })) as { status?: { userInfo?: { username?: string; groups?: string[] } } };
  return review.status?.userInfo ?? {};
}

async function namespacesAs(kubeconfig: string): Promise<string[]> {
  const cluster = connect({ kubeconfig });
  try {
    expect(cluster.kc).toBeInstanceOf(LiteKubeConfig);
    return (await cluster.list(NAMESPACE)).items.map((n) => n.metadata?.name ?? '');
  } finally {
    cluster.close();
  }
}

describe('connect() through the lite kubeconfig reader', () => {
  it('with the admin kubeconfig (a static token, the same identity as the admin certificate) from KUBECONFIG', async () => {
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = testKubeconfigPath();
    try {
      const cluster = connect();
      try {
        expect(cluster.kc).toBeInstanceOf(LiteKubeConfig);
        expect((await cluster.ping()).version).toMatch(/^v1\./);
        expect((await cluster.list(NAMESPACE)).items.map((n) => n.metadata?.name)).toContain(ns.name);
        expect(readFileSync(testKubeconfigPath(), 'utf8')).not.toContain('client-key');
        expect(await whoAmI(cluster)).toMatchObject({ username: 'labforge-admin', groups: expect.arrayContaining(['system:masters']) });
      } finally {
        cluster.close();
      }
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    }
  });

  it('with a client certificate (the admin pair from the cluster\'s PKI), and that certificate is what the server sees', async () => {
    const pki = join(testClusterDir(), 'pki');
    const data = (file: string) => readFileSync(join(pki, file)).toString('base64');
    const cluster = connect({ kubeconfig: kubeconfigWith({ 'client-certificate-data': data('client-admin.crt'), 'client-key-data': data('client-admin.key') }) });
    try {
      expect(cluster.kc).toBeInstanceOf(LiteKubeConfig);
      expect((await cluster.list(NAMESPACE)).items.map((n) => n.metadata?.name)).toContain(ns.name);
      expect(await whoAmI(cluster)).toMatchObject({ username: 'labforge-admin', groups: expect.arrayContaining(['system:masters']) });
    } finally {
      cluster.close();
    }
  });

  it('with a ServiceAccount token, and that token is what the server sees', async () => {
    expect(await namespacesAs(kubeconfigWith({ token }))).toContain(ns.name);
    // The same user may not list secrets: the token, not some other credential, was used.
    const cluster = connect({ kubeconfig: kubeconfigWith({ token }) });
    try {
      await expect(cluster.list(kindOf('v1', 'Secret'), { namespace: ns.name })).rejects.toMatchObject({ kind: 'forbidden' });
    } finally {
      cluster.close();
    }
  });

  it('with a token file given by a relative path', async () => {
    writeFileSync(join(dir, 'reader.token'), `${token}\n`);
    expect(await namespacesAs(kubeconfigWith({ tokenFile: 'reader.token' }))).toContain(ns.name);
  });

  it('with an exec plugin that prints the token', async () => {
    const plugin = join(dir, 'print-token.sh');
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$READER_TOKEN"\n`, { mode: 0o755 });
    const file = kubeconfigWith({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './print-token.sh', env: [{ name: 'READER_TOKEN', value: token }], interactiveMode: 'Never' } });
    expect(await namespacesAs(file)).toContain(ns.name);
  });

  it('a failing exec plugin fails the call with a config error naming the command', async () => {
    const plugin = join(dir, 'no-login.sh');
    writeFileSync(plugin, '#!/bin/sh\necho "not logged in" >&2\nexit 1\n', { mode: 0o755 });
    const cluster = connect({ kubeconfig: kubeconfigWith({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } }) });
    try {
      const err = await cluster.list(NAMESPACE).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).kind).toBe('config');
      expect((err as KubeError).message).toContain(`the credential plugin "${plugin}" of the kubeconfig failed (exit code 1): not logged in`);
    } finally {
      cluster.close();
    }
  });

  it('a wrong token is rejected as unauthorized', async () => {
    const cluster = connect({ kubeconfig: kubeconfigWith({ token: 'not-a-token' }) });
    try {
      await expect(cluster.list(NAMESPACE)).rejects.toMatchObject({ kind: 'unauthorized' });
    } finally {
      cluster.close();
    }
  });
});
