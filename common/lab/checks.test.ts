import { describe, expect, it } from 'vitest';
import { orderedChecks } from './checks';
import { labJsonSchema } from './json-schema';
import { formatIssue, parseLab } from './parse';
import { serializeLab } from './serialize';

const base = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: checks-lab
nodes:
  - name: web
    kind: container
    image: nginx:1.27
  - name: vm1
    kind: vm
    image: quay.io/containerdisks/fedora:40
`;

const issuesOf = (text: string) => {
  const r = parseLab(text);
  if (r.ok) throw new Error('expected the lab to be refused');
  return r.issues.map((i) => formatIssue(i, 'lab.yaml'));
};

describe('checks: section', () => {
  it('decodes a valid section, with defaults left to the readers', () => {
    const r = parseLab(`${base}checks:
  - id: index-exists
    title: Write the index page
    node: web
    script: |
      test -f /usr/share/nginx/html/index.html || { echo "FAIL: no index.html"; exit 1; }
    points: 2
    hint: Create index.html in the web root.
  - id: serves-index
    title: Serve it
    node: web
    script: wget -qO- localhost
    timeout: 5
    after: [index-exists]
achievements:
  - name: web-master
    checks: [index-exists, serves-index]
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lab.checks?.map((c) => c.id)).toEqual(['index-exists', 'serves-index']);
    expect(r.lab.achievements?.[0]?.checks).toEqual(['index-exists', 'serves-index']);
    // Round trip: the serializer keeps both sections.
    const again = parseLab(serializeLab(r.lab));
    expect(again.ok && again.lab.checks).toEqual(r.lab.checks);
    expect(again.ok && again.lab.achievements).toEqual(r.lab.achievements);
  });

  it('reports structural mistakes at their line:column', () => {
    const issues = issuesOf(`${base}checks:
  - id: Bad_Id
    title: x
    node: web
    script: "true"
  - id: two
    title: y
    node: web
    script: "true"
    timeout: 0
    scirpt: oops
  - id: three
    node: web
    script: "true"
    points: 1.5
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lab\.yaml:13:9: checks\[0\]\.id: check id must be a DNS-1123 label/),
        expect.stringMatching(/^lab\.yaml:21:14: checks\[1\]\.timeout: timeout must be between 1 and 600 seconds/),
        expect.stringMatching(/^lab\.yaml:22:5: checks\[1\]\.scirpt: unknown field "scirpt"/),
        expect.stringMatching(/^lab\.yaml:23:5: checks\[2\]\.title: title is required/),
        expect.stringMatching(/^lab\.yaml:26:13: checks\[2\]\.points: points must be a whole number/),
      ]),
    );
  });

  it('reports references, duplicates, vm nodes and cycles at their line:column', () => {
    const issues = issuesOf(`${base}checks:
  - id: a
    title: A
    node: nope
    script: "true"
    after: [b]
  - id: b
    title: B
    node: vm1
    script: "true"
    after: [a, ghost]
  - id: a
    title: A again
    node: web
    script: "true"
achievements:
  - name: all
    checks: [a, missing, a]
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'lab.yaml:15:11: checks[0].node: node "nope" is not declared under `nodes`',
        'lab.yaml:20:11: checks[1].node: node "vm1" is a vm; checks run by exec, which only container nodes support',
        'lab.yaml:22:16: checks[1].after[1]: check "ghost" is not declared under `checks`',
        expect.stringMatching(/^lab\.yaml:23:9: checks\[2\]\.id: duplicate check id "a"/),
        'lab.yaml:29:17: achievements[0].checks[1]: check "missing" is not declared under `checks`',
        'lab.yaml:29:26: achievements[0].checks[2]: check "a" is listed twice',
      ]),
    );
  });

  it('refuses checks ordered in a circle', () => {
    const issues = issuesOf(`${base}checks:
  - id: a
    title: A
    node: web
    script: "true"
    after: [c]
  - id: b
    title: B
    node: web
    script: "true"
    after: [a]
  - id: c
    title: C
    node: web
    script: "true"
    after: [b]
`);
    expect(issues).toEqual([expect.stringMatching(/^lab\.yaml:17:12: checks\[0\]\.after: checks are ordered in a circle \(a → c → b → a\)/)]);
  });

  it('orders checks by after, otherwise in file order', () => {
    const order = orderedChecks([
      { id: 'c', after: ['b'] },
      { id: 'a' },
      { id: 'b', after: ['a'] },
      { id: 'd' },
    ]);
    expect(order.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('is in the JSON Schema editors use', () => {
    const schema = labJsonSchema() as { properties: Record<string, { items?: { required?: string[]; properties?: Record<string, unknown> } }> };
    expect(schema.properties['checks']?.items?.required).toEqual(['id', 'title', 'node', 'script']);
    expect(Object.keys(schema.properties['checks']?.items?.properties ?? {})).toEqual(['id', 'title', 'node', 'container', 'script', 'timeout', 'points', 'hint', 'after']);
    expect(schema.properties['achievements']?.items?.required).toEqual(['name', 'checks']);
  });
});
