import type { VncService } from '../../streams';
import type { ApiDeps } from '../deps';
import type { Handler } from '../dispatch';
import { asApi, whereIs } from './terminal';

/** VNC errors keep their codes ('forbidden', 'not_ready', 'busy', ...) on the wire, as terminal errors do. */
export const vncOpen = (deps: ApiDeps, vnc: VncService): Handler<'vnc.open'> => async ({ context, namespace, node }) =>
  asApi(async () => vnc.open({ namespace, node, ...(await whereIs(deps, context, namespace)) }));
