import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHost } from '../host';
import { createJsonSettings, createMemorySettings } from '../settings';
import { loadTemplate, templateNames } from '../../templates';
import type { Dispatch } from '../dispatch';
import { wireSchedule } from './reconcile';

let dir: string;
let ws: string;
let examples: string;
let dispatch: Dispatch;

const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: demo }
networks: [{ name: lan }]
nodes:
  - { name: web, kind: container, image: "nginx:1.27", networks: [lan], ports: [{ port: 80 }] }
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-handlers-'));
  ws = join(dir, 'ws');
  examples = join(dir, 'examples');
  await mkdir(join(ws, 'labs', 'deep', 'deeper'), { recursive: true });
  await mkdir(join(ws, 'node_modules'), { recursive: true });
  await mkdir(examples, { recursive: true });
  await writeFile(join(ws, 'a.yaml'), LAB);
  await writeFile(join(ws, 'labs', 'b.yml'), LAB);
  await writeFile(join(ws, 'labs', 'deep', 'deeper', 'too-deep.yaml'), LAB);
  await writeFile(join(ws, 'node_modules', 'skip.yaml'), LAB);
  await writeFile(join(ws, 'notes.txt'), 'x');
  await writeFile(join(examples, 'ex.yaml'), LAB);
  dispatch = createHost({ mode: 'browser', version: '1.2.3', workspace: ws, examplesDir: examples, settings: createMemorySettings() }).dispatch;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const ok = async (channel: string, req: unknown) => {
  const r = await dispatch(channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as Record<string, unknown>;
};

describe('handlers', () => {
  it('lists workspace lab files (two levels, no node_modules) and examples', async () => {
    const { files } = (await ok('file.list', {})) as { files: { name: string; source: string }[] };
    expect(files.map((f) => `${f.source}:${f.name}`)).toEqual(['workspace:a.yaml', 'workspace:labs/b.yml', 'example:ex.yaml']);
  });

  it('reads and writes lab files in the workspace only', async () => {
    expect((await ok('file.read', { path: 'a.yaml' }))['text']).toBe(LAB);
    await ok('file.write', { path: 'labs/new.yaml', text: 'hello' });
    expect(await readFile(join(ws, 'labs', 'new.yaml'), 'utf8')).toBe('hello');
    const notYaml = await dispatch('file.write', { path: 'evil.sh', text: 'x' });
    expect(notYaml).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const example = await dispatch('file.write', { path: join(examples, 'ex.yaml'), text: 'x' });
    expect(example).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('read-only') } });
    expect(await readFile(join(examples, 'ex.yaml'), 'utf8')).toBe(LAB);
  });

  it('parses, validates and serialises with the CLI rules', async () => {
    const parsed = await ok('lab.parse', { text: LAB });
    expect(parsed['issues']).toEqual([]);
    const bad = await ok('lab.parse', { text: LAB.replace('nginx:1.27', 'Bad Image') });
    expect(bad['lab']).toBeNull();
    expect((bad['issues'] as { path: unknown[]; line: number }[])[0]).toMatchObject({ path: ['nodes', 0, 'image'], line: 6 });
    const lab = parsed['lab'] as { nodes: { image: string }[] };
    const invalid = { ...lab, nodes: [{ ...lab.nodes[0], image: 'Bad Image' }] };
    const v = await ok('lab.validate', { lab: invalid });
    expect(v['issues']).toEqual([expect.objectContaining({ path: ['nodes', 0, 'image'] })]);
    // An invalid lab still serialises, so the YAML view never loses the user's work.
    expect((await ok('lab.serialize', { lab: invalid }))['text']).toContain('image: Bad Image');
    expect(await dispatch('lab.serialize', { lab: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await dispatch('lab.validate', { lab: { ...lab, nodes: [{ ...lab.nodes[0], image: 42 }] } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('lab.nodes[0].image') },
    });
  });

  it('imports a compose file with the env file picked beside it', async () => {
    const text = 'services:\n  web:\n    image: "nginx:${TAG:-1.27}"\n    environment:\n      GREETING: ${GREETING:?say hello}\n';
    const withEnv = await ok('lab.import', { format: 'compose', text, fileName: 'compose.yaml', env: { text: 'TAG=1.27.1\nGREETING=hi\n', fileName: '.env' } });
    expect(withEnv['errors']).toEqual([]);
    expect(withEnv['lab']).toMatchObject({ metadata: { name: 'compose' }, nodes: [{ image: 'nginx:1.27.1', env: { GREETING: 'hi' } }] });
    const without = await ok('lab.import', { format: 'compose', text, fileName: 'compose.yaml' });
    expect(without).toMatchObject({ lab: null, errors: [expect.stringMatching(/^compose\.yaml:5:17: services\.web\.environment\.GREETING: variable "GREETING" must be set/)] });
    const badEnv = await ok('lab.import', { format: 'compose', text, fileName: 'compose.yaml', env: { text: 'GREETING=hi\n1BAD=x\n', fileName: 'site.env' } });
    expect(badEnv).toMatchObject({ lab: null, errors: ['site.env:2:1: "1BAD" is not a variable name: a line is KEY=value'] });
  });

  it('serves the built-in templates as `labforge create` makes them', async () => {
    const { templates } = (await ok('template.list', {})) as { templates: { name: string; title: string; lab: unknown }[] };
    expect(templates.map((t) => t.name)).toEqual(templateNames());
    const web = templates.find((t) => t.name === 'webserver')!;
    expect(web.title).toBe('Web server');
    expect(web.lab).toEqual(loadTemplate('webserver'));
  });

  it('compiles a preview for the dev namespace, or returns the issues', async () => {
    const lab = (await ok('lab.parse', { text: LAB }))['lab'];
    const preview = await ok('lab.compilePreview', { lab });
    expect(preview['objects']).toBeGreaterThan(0);
    expect(preview['yaml']).toContain('namespace: demo-dev');
    const broken = await ok('lab.compilePreview', { lab: { ...(lab as object), metadata: { name: 'Bad Name' } } });
    expect(broken['yaml']).toBe('');
    expect((broken['issues'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('keeps settings in a JSON file and tolerates a damaged one', async () => {
    const file = join(ws, '.labforge', 'settings.json');
    const settings = createJsonSettings(file);
    expect(await settings.get()).toEqual({ theme: 'light', recent: [], kubeContext: null, terminalFontSize: 13 });
    const d = createHost({ mode: 'browser', version: '1', workspace: ws, examplesDir: examples, settings }).dispatch;
    await d('settings.update', { patch: { theme: 'dark' } });
    await d('settings.addRecent', { path: '/a.yaml' });
    await d('settings.addRecent', { path: '/b.yaml' });
    const r = await d('settings.addRecent', { path: '/a.yaml' });
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark', recent: ['/a.yaml', '/b.yaml'] } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ theme: 'dark' });
    await writeFile(file, '{"theme":"purple","recent":["/x.yaml"]');
    expect(await settings.get()).toEqual({ theme: 'light', recent: [], kubeContext: null, terminalFontSize: 13 });
    await writeFile(file, '{"theme":"purple","recent":["/x.yaml"]}');
    expect(await settings.get()).toMatchObject({ theme: 'light', recent: ['/x.yaml'] });
  });

  it('native dialogs grant exactly the picked file (Electron host)', async () => {
    const outside = join(dir, 'elsewhere.yaml');
    await writeFile(outside, LAB);
    const d = createHost({
      mode: 'electron',
      version: '1',
      workspace: null,
      examplesDir: examples,
      settings: createMemorySettings(),
      dialogs: { open: async () => outside, save: async () => join(dir, 'saved.yaml') },
    }).dispatch;
    expect(await d('file.read', { path: outside })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d('file.openDialog', {})).toMatchObject({ ok: true, value: { file: { text: LAB } } });
    expect(await d('file.read', { path: outside })).toMatchObject({ ok: true });
    const saved = await d('file.saveDialog', { defaultName: 'x.yaml' });
    expect(saved).toMatchObject({ ok: true, value: { path: join(dir, 'saved.yaml') } });
    expect(await d('file.write', { path: join(dir, 'saved.yaml'), text: 'y' })).toMatchObject({ ok: true });
    expect(await d('file.write', { path: join(dir, 'other.yaml'), text: 'y' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('checks suspend and resume requests before any cluster is touched', async () => {
    const sink = { emit: () => undefined, signal: new AbortController().signal };
    for (const channel of ['class.suspend', 'class.resume']) {
      for (const bad of [{ className: 'c1', students: [] }, { className: 'c1', students: ['x'.repeat(129)] }, { className: 'c1', students: [''] }, { className: 'Bad Name', students: ['s1'] }, { className: 'c1' }]) {
        expect(await dispatch(channel, bad, sink), `${channel} ${JSON.stringify(bad).slice(0, 60)}`).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      }
    }
  });
});

describe('class.health schedule', () => {
  const schedule = { timezone: 'Europe/Paris', warmSeconds: 900, entries: [{ days: ['Mon' as const, 'Wed' as const], start: '09:00', end: '11:00' }] };

  it('names the next session, with the entries as text, before its warm-up', () => {
    // Monday 2026-12-07 07:00 in Paris (UTC+1): the 09:00 session warms from 08:45.
    const w = wireSchedule(schedule, new Date('2026-12-07T06:00:00Z'));
    expect(w).toEqual({ timezone: 'Europe/Paris', warmSeconds: 900, text: expect.stringContaining('09:00'), next: { start: '2026-12-07T08:00:00.000Z', end: '2026-12-07T10:00:00.000Z' } });
  });

  it('says a session warms, then runs', () => {
    expect(wireSchedule(schedule, new Date('2026-12-07T07:50:00Z')).current).toEqual({ start: '2026-12-07T08:00:00.000Z', end: '2026-12-07T10:00:00.000Z', warming: true });
    const running = wireSchedule(schedule, new Date('2026-12-07T09:00:00Z'));
    expect(running.current).toMatchObject({ warming: false });
    // The next one is Wednesday's.
    expect(running.next?.start).toBe('2026-12-09T08:00:00.000Z');
  });
});
