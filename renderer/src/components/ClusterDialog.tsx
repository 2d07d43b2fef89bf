import { useEffect, useState } from 'react';
import type { Response } from '../../../common/api/contract';
import { invoke } from '../api/client';
import { useUi } from '../store/ui';
import { Modal } from './Modal';

type Contexts = Response<'kube.contexts'>;

/** Lists kubeconfig contexts (names and servers only), tests one, and persists the choice. */
export function ClusterDialog() {
  const close = () => useUi.getState().openDialog(null);
  const selected = useUi((s) => s.kubeContext);
  const [data, setData] = useState<Contexts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; message: string }>>({});
  useEffect(() => {
    void invoke('kube.contexts', {}).then((r) => (r.ok ? setData(r.value) : setError(r.error.message)));
  }, []);
  const effective = selected ?? data?.current ?? null;
  const choose = async (name: string) => {
    const r = await invoke('settings.update', { patch: { kubeContext: name } });
    if (r.ok) useUi.setState({ kubeContext: r.value.kubeContext });
    else useUi.getState().notify('error', `Cannot switch to ${name}: ${r.error.message}`);
  };
  const test = async (name: string) => {
    setTesting(name);
    const r = await invoke('kube.test', { context: name, timeoutMs: 5000 });
    setTesting(null);
    setResults((prev) => ({ ...prev, [name]: r.ok ? { ok: r.value.ok, message: r.value.message } : { ok: false, message: r.error.message } }));
  };
  return (
    <Modal title="Cluster" onClose={close} testId="cluster-dialog" wide>
      {error ? <p className="error-text">{error}</p> : null}
      {data?.error ? <p className="muted">{data.error}</p> : null}
      {data?.source ? <p className="muted small">kubeconfig: {data.source}</p> : null}
      {data && data.contexts.length ? (
        <table className="ctx-table">
          <thead>
            <tr>
              <th />
              <th>Context</th>
              <th>Server</th>
              <th>Namespace</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.contexts.map((c) => (
              <tr key={c.name} className={c.name === effective ? 'current' : ''} data-testid={`ctx-${c.name}`}>
                <td>
                  <input type="radio" name="ctx" checked={c.name === effective} onChange={() => void choose(c.name)} aria-label={`Use ${c.name}`} />
                </td>
                <td>
                  {c.name}
                  {c.name === data.current ? <span className="tag">kubeconfig default</span> : null}
                </td>
                <td className="mono small">{c.server ?? '—'}</td>
                <td>{c.namespace ?? '—'}</td>
                <td>
                  <button className="button small" onClick={() => void test(c.name)} disabled={testing !== null} data-testid={`ctx-test-${c.name}`}>
                    {testing === c.name ? 'Testing…' : 'Test connection'}
                  </button>
                  {results[c.name] ? <div className={`test-result ${results[c.name]!.ok ? 'ok' : 'bad'}`}>{results[c.name]!.message}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {!data && !error ? <p className="muted">Reading kubeconfig…</p> : null}
    </Modal>
  );
}
