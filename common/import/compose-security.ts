/**
 * Who a compose service runs as, in the lab's terms (docs/lab-format.md, "Pod security"). Docker
 * runs a container as its image's user, which for most official images is root, with the
 * runtime's default capabilities; a lab node runs as user 1000 unless it says otherwise. So an
 * imported service says `user: root` unless compose gives a numeric `user`, and `cap_add` adds
 * what a lab node may have. `privileged` and the capabilities that act on the host are warned
 * about at their line and left out.
 */
import { capabilityLeftOut, capabilityVerdict } from '../lab/capabilities';
import type { NodeInput, Path } from './compose-fields';
import type { YamlSource } from './source';

/** The service keys this module reads. */
export const SECURITY_KEYS = ['user', 'cap_add', 'cap_drop', 'privileged'] as const;

export function composeSecurity(src: YamlSource, base: Path): NonNullable<NodeInput['security']> {
  const caps: string[] = [];
  const capAdd = src.value([...base, 'cap_add']);
  if (Array.isArray(capAdd)) {
    capAdd.forEach((c, i) => {
      const v = capabilityVerdict(String(c));
      if (v.name === 'ALL') src.warn([...base, 'cap_add', i], 'cap_add ALL is not granted to a lab node; list the capabilities it needs (e.g. NET_ADMIN)');
      else if (v.allowed) caps.includes(v.name) || caps.push(v.name);
      else src.warn([...base, 'cap_add', i], capabilityLeftOut(v));
    });
  } else if (capAdd !== undefined) src.warn([...base, 'cap_add'], '`cap_add` must be a list of capabilities; it is not imported');
  if (src.node([...base, 'cap_drop'])) src.warn([...base, 'cap_drop'], '`cap_drop`: a lab node starts with no capability but what it asks for, so there is nothing to drop');
  if (src.value([...base, 'privileged']) === true) {
    src.warn([...base, 'privileged'], '`privileged`: a privileged container is never granted to a student; the node runs as root with the default capabilities; add those it needs to its security (e.g. NET_ADMIN), or use a VM node');
  }

  const user = src.value([...base, 'user']);
  if (user !== undefined) {
    // "1000" or "1000:1000": the lab keeps the user id (its group is the same number).
    const m = /^(\d+)(?::\d+)?$/.exec(String(user));
    const uid = m ? Number(m[1]) : NaN;
    if (uid >= 1 && uid <= 2147483647) {
      if (caps.length) src.warn([...base, 'cap_add'], `capabilities take effect for root only; service runs as user ${uid}, so they are left out`);
      return { user: uid };
    }
    if (String(user) !== 'root' && uid !== 0) src.warn([...base, 'user'], `user "${String(user)}" is not a number; the node runs as root (a lab names its user by id)`);
  }
  return { user: 'root', ...(caps.length ? { capabilities: caps } : {}) };
}
