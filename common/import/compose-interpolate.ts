/**
 * Interpolates every string value of a compose file in place, before any field is read, as
 * compose does: image tags, ports, volume paths, environment values, `name:` alike. Keys are
 * left as written (compose does not interpolate them). Problems are reported at the scalar that
 * holds them, so they carry the file's line like every other import message.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { interpolate, InterpolationError, type Lookup } from './interpolate';
import type { Path } from './compose-fields';
import type { YamlSource } from './source';

/** Where variables come from, for the messages: the CLI passes `--env-file`, the app a file picked with the compose file. */
const WHERE_TO_SET = 'give it a value in an env file: the .env beside the compose file, one named with `labforge import --env-file`, or one chosen with the compose file in File › Import';

export function interpolateCompose(src: YamlSource, vars: Readonly<Record<string, string>>): void {
  const lookup: Lookup = (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
  const warned = new Set<string>();
  const visit = (node: unknown, path: Path, depth: number): void => {
    // An alias is the node its anchor names, interpolated where the anchor is written.
    if (isAlias(node) || depth > 64) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? (typeof pair.key.value === 'symbol' ? '<<' : String(pair.key.value)) : '?';
        visit(pair.value, [...path, key], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i], depth + 1));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      try {
        const r = interpolate(node.value, lookup);
        node.value = r.value;
        for (const name of r.unset) {
          // Once per variable: a file using ${TAG} ten times needs to be told once where.
          if (warned.has(name)) continue;
          warned.add(name);
          src.warnAt(path, node as Node, `variable "${name}" is not set and has no default: it is replaced by an empty string (${WHERE_TO_SET})`);
        }
      } catch (err) {
        if (!(err instanceof InterpolationError)) throw err;
        src.errorAt(path, node as Node, err.required ? `${err.message} (${WHERE_TO_SET})` : `"${node.value}" cannot be interpolated: ${err.message}`);
      }
    }
  };
  visit(src.doc.contents, [], 0);
}
