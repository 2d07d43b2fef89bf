import { EXTRA_CAPABILITIES } from '../../../../../common/lab/capabilities';
import { DEFAULT_USER, nodeSecurity, rootImageHint } from '../../../../../common/lab/pod-security';
import type { LabNode } from '../../../../../common/lab/schema';
import { entityId } from '../../../store/doc';
import { setCapability, setToken, setUser } from '../../../store/node-edits';
import { Errors, Field, Section } from '../../form/fields';
import { editDoc } from '../editing';

/**
 * What a container node may do beyond Pod Security "restricted": its user, the capabilities a
 * root node adds, a Kubernetes token. The level the node needs is shown with its reason, and the
 * hint for an image that will not start as an ordinary user.
 */
export function SecuritySection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const { name } = node;
  const id = entityId('node', name);
  const user = node.security?.user;
  const mode = user === undefined ? 'default' : user === 'root' ? 'root' : 'uid';
  const level = nodeSecurity(node);
  const hint = rootImageHint(node);
  const caps = node.security?.capabilities ?? [];
  return (
    <Section title="Security">
      <p className="insp-note" data-testid="insp-pod-security">
        Pod Security <strong>{level.level}</strong>
        {level.reasons.length ? `: ${level.reasons.join(' and ')}` : ': an ordinary user with no added capabilities'}
      </p>
      {hint ? (
        <p className="insp-note warn" data-testid="insp-root-hint">
          {hint}
        </p>
      ) : null}
      {/* Two columns only when the user id field sits beside the choice; alone, the choice takes the width. */}
      <div className={mode === 'uid' ? 'grid2' : undefined}>
        <Field label="Runs as" errors={errors('security.user')}>
          <select value={mode} data-testid="insp-user" onChange={(e) => editDoc((d) => setUser(d, name, e.target.value === 'uid' ? String(DEFAULT_USER + 1) : e.target.value), `${id}:security.user`)}>
            <option value="default">User {DEFAULT_USER} (default)</option>
            <option value="root">Root</option>
            <option value="uid">Another user id…</option>
          </select>
        </Field>
        {mode === 'uid' ? (
          <Field label="User id">
            <input className="mono" inputMode="numeric" value={String(user)} data-testid="insp-uid" onChange={(e) => editDoc((d) => setUser(d, name, e.target.value || 'default'), `${id}:security.user`)} />
          </Field>
        ) : null}
      </div>
      {mode === 'root' ? (
        <div className="chips" role="group" aria-label="Added capabilities" data-testid="insp-capabilities">
          {EXTRA_CAPABILITIES.map((c) => (
            <label key={c} className="check" title={c === 'NET_ADMIN' ? 'Routes, addresses, firewalls' : c === 'NET_RAW' ? 'Raw sockets: traceroute -I, tcpdump' : undefined}>
              <input type="checkbox" checked={caps.includes(c)} onChange={(e) => editDoc((d) => setCapability(d, name, c, e.target.checked), `${id}:security.capabilities`)} /> {c}
            </label>
          ))}
        </div>
      ) : null}
      <Errors errors={errors('security.capabilities')} />
      <label className="check wrap">
        <input type="checkbox" checked={node.security?.serviceAccountToken ?? false} data-testid="insp-token" onChange={(e) => editDoc((d) => setToken(d, name, e.target.checked), `${id}:security.serviceAccountToken`)} /> Kubernetes token (the student&apos;s own) in the node
      </label>
    </Section>
  );
}
