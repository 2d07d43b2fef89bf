import { compileLab, devNamespace, objectsToYaml } from '../../../common/compile';
import { validateLab, type Lab } from '../../../common/lab';
import type { Handler } from '../dispatch';

/** The compiler as the preview needs it; injectable so tests can count calls or fail it. */
export type CompilePreview = (lab: Lab, namespace: string) => { yaml: string; objects: number };

export const compilePreview: CompilePreview = (lab, namespace) => {
  const objects = compileLab(lab, { namespace });
  return { yaml: objectsToYaml(objects), objects: objects.length };
};

/** What the lab compiles to for the instructor's dev namespace; an invalid lab returns its issues. */
export const labCompilePreview = (compile: CompilePreview = compilePreview): Handler<'lab.compilePreview'> => ({ lab, namespace }) => {
  const result = validateLab(lab);
  if (!result.ok) return { yaml: '', objects: 0, issues: result.issues };
  const out = compile(result.lab, namespace ?? devNamespace(result.lab.metadata.name));
  return { yaml: out.yaml, objects: out.objects, issues: [] };
};
