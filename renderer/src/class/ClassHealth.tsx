/**
 * The class's health in the class dashboard: its end date (a warning within the warning period;
 * once it ended, the volumes kept and how to get them back), drift per student, object and field
 * with a Repair button, and each student's web links. Read from main (class.health) every few
 * seconds, so changes made by hand or from the CLI show up.
 */
import { useCallback, useEffect, useState } from 'react';
import { invoke } from '../api/client';
import type { WireClassHealth } from '../../../common/api/reconcile-schemas';
import { useUi } from '../store/ui';
import { ClassSection } from './ClassSection';
import { idleText, scheduleText } from './class-time';
import { useCluster } from './store';

const REFRESH_MS = 15_000;
const context = () => useUi.getState().kubeContext;
const notify = (tone: 'info' | 'error' | 'success', text: string) => useUi.getState().notify(tone, text);

function remaining(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h` : `${Math.max(1, Math.floor(seconds / 60))}m`;
}

export function ClassHealth({ className }: { className: string }) {
  const [health, setHealth] = useState<WireClassHealth | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [endDate, setEndDate] = useState('');

  const load = useCallback(async () => {
    const r = await invoke('class.health', { context: context(), className });
    if (r.ok) {
      setHealth(r.value);
      setError(null);
      // The class header shows class time too; this read is the one both use.
      useCluster.setState({ classTime: { className, idle: r.value.idle, schedule: r.value.schedule } });
    } else setError(r.error.message);
  }, [className]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const repair = async () => {
    setBusy(true);
    const r = await invoke('class.repair', { context: context(), className });
    setBusy(false);
    if (!r.ok) return notify('error', r.error.message);
    const failed = r.value.repaired.filter((x) => x.error);
    notify(failed.length ? 'error' : 'success', failed.length ? `${failed.length} students could not be repaired: ${failed[0]!.error}` : `repaired ${r.value.repaired.length} students`);
    await load();
  };
  const setExpiry = async (value: string | null) => {
    const r = await invoke('class.expire', { context: context(), className, expiresAt: value });
    if (!r.ok) return notify('error', r.error.message);
    notify('success', r.value.expiresAt ? `the class ends at ${new Date(r.value.expiresAt).toLocaleString()}` : 'the class has no end date');
    setEndDate('');
    await load();
  };

  const e = health?.expiry;
  const withLinks = health?.links.filter((l) => l.links.length) ?? [];
  const driftSummary = health ? (health.drift.length ? `${health.drift.length} ${health.drift.length === 1 ? 'student differs' : 'students differ'} from their release` : 'every student matches their release') : '…';
  return (
    <>
    <ClassSection id="health" testId="class-health" summary={`${e && e.state !== 'none' ? `ends ${new Date(e.expiresAt!).toLocaleDateString()} · ` : ''}${driftSummary}`}>
    <div className="class-health">
      {error ? <p className="field-error">{error}</p> : null}
      {health?.ended ? (
        <div className="field-error" data-testid="class-ended">
          <strong>This class ended at {new Date(health.ended.at).toLocaleString()}.</strong>
          <pre className="mono small">{health.ended.help}</pre>
        </div>
      ) : e?.state === 'warning' ? (
        <p className="field-warning" data-testid="class-expiry-warning">
          This class ends at {new Date(e.expiresAt!).toLocaleString()}, in {remaining(e.remainingSeconds ?? 0)}; its namespaces are then torn down and student credentials stop working.
        </p>
      ) : e?.state === 'expired' ? (
        <p className="field-error" data-testid="class-expiry-passed">
          This class reached its end date ({new Date(e.expiresAt!).toLocaleString()}); the reconciler tears it down when it next runs.
        </p>
      ) : null}
      <form
        className="class-head"
        onSubmit={(ev) => {
          ev.preventDefault();
          void setExpiry(endDate.trim());
        }}
      >
        <strong>End date</strong>
        <span className="muted small" data-testid="class-expiry">
          {e?.state === 'none' || !e ? 'none' : new Date(e.expiresAt!).toLocaleString()}
        </span>
        <input placeholder="30d, 2027-01-31" value={endDate} onChange={(ev) => setEndDate(ev.target.value)} data-testid="class-expiry-input" aria-label="end date" size={16} />
        <button className="button small" type="submit" disabled={!endDate.trim()} data-testid="class-expiry-set">
          Set
        </button>
        {e && e.state !== 'none' ? (
          <button className="link-button" type="button" onClick={() => void setExpiry(null)} data-testid="class-expiry-clear">
            no end date
          </button>
        ) : null}
      </form>
      <div className="class-head">
        <strong>Class time</strong>
        <span className="muted small" data-testid="health-class-time">
          {health ? `${scheduleText(health.schedule)}${health.schedule ? ` (${health.schedule.timezone}: ${health.schedule.text})` : ''} · ${idleText(health.idle)}` : '…'}
        </span>
        <span className="muted small">set with labforge schedule / labforge idle</span>
      </div>
      <div className="class-head">
        <strong>Drift</strong>
        <span className="muted small" data-testid="drift-summary">
          {driftSummary}
        </span>
        {health?.drift.length ? (
          <button className="button small" disabled={busy} onClick={() => void repair()} data-testid="drift-repair">
            Repair
          </button>
        ) : null}
      </div>
      {health?.drift.length ? (
        <ul className="drift-list" data-testid="drift-list">
          {health.drift.flatMap((s) =>
            s.objects.map((o) => (
              <li key={`${s.namespace}/${o.kind}/${o.name}`} data-testid={`drift-${s.student}`}>
                <strong>{s.student}</strong> · {o.kind}/{o.name}{' '}
                {o.problem === 'missing' ? 'is missing' : o.problem === 'extra' ? 'is not part of the release' : o.fields.map((f) => `${f.path}: ${f.have} (want ${f.want})${f.by.length ? ` by ${f.by.join(', ')}` : ''}`).join('; ')}
              </li>
            )),
          )}
        </ul>
      ) : null}
    </div>
    </ClassSection>
    <ClassSection id="links" summary={withLinks.length ? `${withLinks.length} student${withLinks.length === 1 ? '' : 's'} with web links` : 'none: the lab exposes no web port, or the class has no domain'}>
      {withLinks.length ? (
          <table className="keys-table links-table" data-testid="links-table">
            <tbody>
              {withLinks.map((s) => (
                <tr key={s.namespace} data-testid={`links-${s.student}`}>
                  <td>{s.student}</td>
                  <td>
                    {s.links.map((l) => (
                      <a key={l.url} className="mono" href={l.url} target="_blank" rel="noreferrer" title={`${l.node}:${l.port}`}>
                        {l.url}{' '}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
      ) : (
        <p className="muted small">No web links: publish with a domain and a lab that exposes a port to give every student one.</p>
      )}
    </ClassSection>
    </>
  );
}
