import { loadTemplates } from '../../templates';
import type { ApiDeps } from '../deps';
import type { Handler } from '../dispatch';

/** The YAML templates themselves, so the palette drops exactly what `labforge create` writes. */
export const templateList = (deps: ApiDeps): Handler<'template.list'> => () => ({
  templates: loadTemplates(deps.templatesDir).map(({ name, lab }) => ({
    name,
    title: lab.metadata.title ?? name,
    description: lab.metadata.description ?? '',
    lab,
  })),
});
