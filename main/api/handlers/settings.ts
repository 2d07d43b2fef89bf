import type { ApiDeps } from '../deps';
import type { Handler } from '../dispatch';
import { addRecent } from '../settings';

export const settingsGet = (deps: ApiDeps): Handler<'settings.get'> => () => deps.settings.get();

export const settingsUpdate = (deps: ApiDeps): Handler<'settings.update'> => ({ patch }) => deps.settings.update(patch);

export const settingsAddRecent = (deps: ApiDeps): Handler<'settings.addRecent'> => async ({ path }) => {
  const current = await deps.settings.get();
  return deps.settings.update({ recent: addRecent(current.recent, path) });
};
