import type { ApiDeps } from '../deps';
import type { Handler } from '../dispatch';

export const appInfo = (deps: ApiDeps): Handler<'app.info'> => () => ({
  version: deps.version,
  mode: deps.mode,
  workspace: deps.workspace,
});
