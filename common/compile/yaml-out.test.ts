import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/parse';
import { compileLab, devNamespace, objectsToYaml, studentNamespace } from './index';
import { toYaml } from './yaml-out';

const root = join(import.meta.dirname, '../..');

/** Strings that are easy to get wrong: YAML 1.1/1.2 types, indicators, spaces, line breaks, controls. */
const TRICKY = [
  '', ' ', 'a', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', 'null', 'Null', '~', 'nan', '.inf', '-.inf', '.NaN',
  '0', '1', '-1', '+1', '1.5', '.5', '1e3', '1E-3', '0x1F', '0o17', '017', '1_000', '1:20', '1:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '500m', '1Gi', '10.0.0.1', 'nginx:1.25', 'registry.example.com:5000/app@sha256:abc', 'a: b', 'a:b', 'a #b', '#x', '- x', '-x', '-', '? x', ':x', 'x:',
  '[a]', '{a}', '*a', '&a', '!t', '!!str', '%YAML', '@x', '`x', "'x'", '"x"', 'x\'y', 'back\\slash', 'tab\there', ' lead', 'trail ', 'a  b',
  'line1\nline2', 'line1\nline2\n', 'line1\nline2\n\n', '\nfirst empty', '  indented\nnext', 'a\n  b\n', 'a\n\n\nb', 'a\n \nb', 'a\n\t\nb', '\n', '\n\n',
  'cr\r\nlf', 'nul\u0000x', 'esc\u001b[2J', 'del\u007f', 'c1\u0085x', 'ls\u2028ps\u2029', 'bom\ufeff', 'é ü 中文 🙂', '#!/bin/sh\nset -e\necho "hi" # c\n',
  'key: value\n- item\n', '---\n...\n', '|\n>', 'labforge.dev/student', 'app.kubernetes.io/name',
];

describe('toYaml', () => {
  it('round-trips every tricky string as a value, a key and a list item', () => {
    for (const s of TRICKY) {
      const value = { k: s, list: [s, { [s || 'empty']: s }], [s]: 1, nested: { deeper: { s } } };
      const text = toYaml(value);
      expect(parse(text), JSON.stringify(s) + '\n' + text).toEqual(value);
    }
  });

  it('writes the YAML 1.1 look-alikes quoted, so kubectl reads strings too', () => {
    for (const s of ['yes', 'No', 'on', 'y', 'null', '~', '1e3', '0x1F', '1:20', '2001-12-14', '017', '1_000', '.inf']) {
      expect(toYaml({ k: s }), s).toBe(`k: ${JSON.stringify(s)}\n`);
    }
    expect(toYaml({ image: 'nginx:1.25', path: '/srv/www', label: 'labforge.dev/student' })).toBe('image: nginx:1.25\npath: /srv/www\nlabel: labforge.dev/student\n');
  });

  it('writes numbers, booleans, null and empty collections as YAML reads them back', () => {
    const value = { n: 8080, f: 0.5, big: 1e21, neg: -3, t: true, f2: false, z: null, e: {}, a: [], deep: [[], {}, [[1, 2], [3]]] };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('reads back as the yaml library would have written it, for every example compiled for students', () => {
    const examples = join(root, 'resources/examples');
    for (const f of readdirSync(examples)) {
      const r = parseLab(readFileSync(join(examples, f), 'utf8'));
      if (!r.ok) throw new Error(`${f}: ${r.issues[0]?.message}`);
      for (const target of [{ namespace: devNamespace(r.lab.metadata.name) }, { namespace: studentNamespace('c', 'alice'), class: 'c', student: 'alice', release: 'v1' }]) {
        const objects = compileLab(r.lab, target);
        const docs = parseAllDocuments(objectsToYaml(objects)).map((d) => d.toJS());
        expect(docs, f).toEqual(JSON.parse(JSON.stringify(objects)));
        // Same data as the general stringifier's output.
        expect(docs, f).toEqual(objects.map((o) => parse(stringify(o))));
      }
    }
  });
});
