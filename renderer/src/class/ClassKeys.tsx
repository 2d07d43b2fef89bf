/**
 * Students' SSH keys for the gateway, in the class dashboard: each key's student, type,
 * fingerprint, comment, added and expiry dates (never the key itself), a form to add a key (the
 * .pub line, an optional expiry such as 14d) and a revoke button per key. Bad keys come back
 * with the store's message and nothing is stored. The list is read again every few seconds, so
 * keys added from the CLI or by another instructor show up.
 */
import { useCallback, useEffect, useState } from 'react';
import { invoke } from '../api/client';
import type { WireSshKey } from '../../../common/api/keys-schemas';
import { useUi } from '../store/ui';
import { ClassSection } from './ClassSection';

const REFRESH_MS = 15_000;
const context = () => useUi.getState().kubeContext;
const notify = (tone: 'info' | 'error' | 'success', text: string) => useUi.getState().notify(tone, text);
const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : 'never');

export function ClassKeys({ className, students }: { className: string; students: string[] }) {
  const [keys, setKeys] = useState<WireSshKey[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [student, setStudent] = useState('');
  const [key, setKey] = useState('');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await invoke('keys.list', { context: context(), className });
    if (r.ok) {
      setKeys(r.value.keys);
      setError(null);
    } else setError(r.error.message);
  }, [className]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const chosen = student || students[0] || '';
  const add = async () => {
    setBusy(true);
    setFormError(null);
    const r = await invoke('keys.add', { context: context(), className, student: chosen, key, ...(expires.trim() ? { expires: expires.trim() } : {}) });
    setBusy(false);
    if (!r.ok) return setFormError(r.error.message);
    setKey('');
    setExpires('');
    notify('success', `added ${r.value.type} key ${r.value.fingerprint} for ${r.value.student}`);
    await load();
  };
  const revoke = async (k: WireSshKey) => {
    const r = await invoke('keys.revoke', { context: context(), className, student: k.student, fingerprint: k.fingerprint });
    if (!r.ok) return notify('error', r.error.message);
    notify('success', `revoked ${k.fingerprint} of ${k.student}; live sessions on it end within a minute`);
    await load();
  };

  return (
    <ClassSection id="keys" testId="class-keys" summary={`${keys.length} key${keys.length === 1 ? '' : 's'}`}>
    <div className="class-keys">
      <p className="muted small" data-testid="keys-summary">
        {keys.length} key{keys.length === 1 ? '' : 's'} · students log in with <code>ssh -p 2222 STUDENT@gateway</code> while <code>labforge gateway --class {className}</code> runs
      </p>
      {error ? <p className="field-error">{error}</p> : null}
      <table className="keys-table" data-testid="keys-table">
        <thead>
          <tr>
            <th>student</th>
            <th>type</th>
            <th>fingerprint</th>
            <th>comment</th>
            <th>added</th>
            <th>expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={`${k.student}/${k.fingerprint}`} data-testid={`key-${k.student}`} className={k.expired ? 'expired' : ''}>
              <td>{k.student}</td>
              <td className="mono">{k.type}</td>
              <td className="mono" title={k.fingerprint}>
                {k.fingerprint}
              </td>
              <td>{k.comment}</td>
              <td>{when(k.addedAt)}</td>
              <td data-testid={`key-expiry-${k.student}`}>
                {when(k.expiresAt)}
                {k.expired ? ' (expired)' : ''}
              </td>
              <td>
                <button className="link-button danger" data-testid={`key-revoke-${k.student}`} onClick={() => void revoke(k)}>
                  revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="keys-add"
        data-testid="keys-add"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <select value={chosen} onChange={(e) => setStudent(e.target.value)} data-testid="keys-student" aria-label="student">
          {students.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input className="grow mono" placeholder="ssh-ed25519 AAAA… (the .pub file)" value={key} onChange={(e) => setKey(e.target.value)} data-testid="keys-key" aria-label="public key" />
        <input placeholder="expires (14d, 2026-12-24)" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="keys-expires" aria-label="expires" size={26} />
        <button className="button small" type="submit" disabled={busy || !key.trim() || !chosen} data-testid="keys-add-submit">
          Add key
        </button>
      </form>
      {formError ? (
        <p className="field-error" data-testid="keys-error">
          {formError}
        </p>
      ) : null}
    </div>
    </ClassSection>
  );
}
