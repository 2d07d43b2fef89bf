/**
 * Exec credential plugins (client.authentication.k8s.io v1 and v1beta1) for kubeconfig-lite.ts:
 * a user entry's `exec:` read and checked, and the plugin run as kubectl runs it
 * (non-interactive), its ExecCredential checked before a token or certificate is used.
 */
import { spawn } from 'node:child_process';
import { KubeError } from './errors';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  installHint?: string;
}

export interface ExecResult {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  /** ms since epoch; undefined: valid until the server refuses it. */
  expiresAt?: number;
  /** The server answered 401 to it: the next request runs the plugin again. */
  rejected?: boolean;
}

export function parseExec(value: unknown, user: string): ExecConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const where = `user "${user}": exec`;
  if (!isObject(value)) throw new KubeError('config', `${where} must be a mapping with a command`, { hint: 'choose-context' });
  const command = str(value['command']);
  if (!command) throw new KubeError('config', `${where}.command is missing: name the credential plugin to run`, { hint: 'choose-context' });
  const apiVersion = str(value['apiVersion']) ?? '';
  if (!apiVersion.startsWith('client.authentication.k8s.io/')) {
    throw new KubeError('config', `${where}.apiVersion "${apiVersion}" is not a client.authentication.k8s.io version; use client.authentication.k8s.io/v1`, { hint: 'choose-context' });
  }
  const args = Array.isArray(value['args']) ? value['args'].map(String) : [];
  const env = Array.isArray(value['env']) ? value['env'].filter(isObject).map((e) => ({ name: String(e['name'] ?? ''), value: String(e['value'] ?? '') })) : [];
  return { apiVersion, command, args, env, ...(str(value['installHint']) ? { installHint: str(value['installHint'])! } : {}) };
}

/** Runs a credential plugin and reads its ExecCredential, as kubectl does (non-interactive). */
export function runExecPlugin(exec: ExecConfig): Promise<ExecResult> {
  const execInfo = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: execInfo };
  for (const e of exec.env) env[e.name] = e.value;
  const fail = (why: string) => new KubeError('config', `the credential plugin "${exec.command}" of the kubeconfig ${why}`, { hint: 'choose-context' });
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(exec.command, exec.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = exec.installHint ? `; ${exec.installHint.trim()}` : '';
      reject(fail(e.code === 'ENOENT' ? `was not found (install it or fix exec.command)${hint}` : `could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const stderr = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' | ');
        reject(fail(`failed (${signal ? `signal ${signal}` : `exit code ${code}`})${stderr ? `: ${stderr}` : ''}`));
        return;
      }
      let cred: unknown;
      try {
        cred = JSON.parse(Buffer.concat(out).toString('utf8'));
      } catch {
        reject(fail('did not print an ExecCredential (its output is not JSON)'));
        return;
      }
      const status = isObject(cred) && isObject(cred['status']) ? cred['status'] : undefined;
      if (!isObject(cred) || cred['kind'] !== 'ExecCredential' || !status) {
        reject(fail('did not print an ExecCredential with a status'));
        return;
      }
      if (str(cred['apiVersion']) !== exec.apiVersion) {
        reject(fail(`answered apiVersion "${String(cred['apiVersion'])}", not the ${exec.apiVersion} the kubeconfig asks for`));
        return;
      }
      const token = str(status['token']);
      const certData = str(status['clientCertificateData']);
      const keyData = str(status['clientKeyData']);
      if (!token && !(certData && keyData)) {
        reject(fail('printed an ExecCredential without a token or a client certificate and key'));
        return;
      }
      const expiry = str(status['expirationTimestamp']);
      const expiresAt = expiry ? Date.parse(expiry) : undefined;
      if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
        reject(fail(`printed an expirationTimestamp that is not a time: "${expiry}"`));
        return;
      }
      // ExecCredential carries PEM text, not base64 as kubeconfig *-data fields do.
      resolve({
        ...(token ? { token } : {}),
        ...(certData && keyData ? { cert: Buffer.from(certData), key: Buffer.from(keyData) } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      });
    });
  });
}
