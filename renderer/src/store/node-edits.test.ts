import { describe, expect, it } from 'vitest';
import type { LabNode } from '../../../common/lab/schema';
import { emptyDoc, type Doc } from './doc';
import {
  addFile,
  addPort,
  detachNetwork,
  editEnv,
  fileModeText,
  linesOf,
  nextPort,
  removeFile,
  removeMount,
  removePort,
  setDisk,
  setExposed,
  setExposurePath,
  setFileMode,
  setKind,
  setLines,
  setCapability,
  setResource,
  setToken,
  setUser,
  updateFile,
  updateMount,
  updatePort,
} from './node-edits';

const docWith = (node: Partial<LabNode>, exposures: Doc['lab']['exposures'] = []): Doc => {
  const doc = emptyDoc();
  return { ...doc, lab: { ...doc.lab, nodes: [{ name: 'web', kind: 'container', image: 'nginx:1.27', ...node }, { name: 'other', kind: 'container', image: 'alpine' }], exposures } };
};
const web = (doc: Doc) => doc.lab.nodes[0]!;

describe('node edits', () => {
  it('leaves the other nodes untouched (same objects)', () => {
    const doc = docWith({});
    expect(addPort(doc, 'web').lab.nodes[1]).toBe(doc.lab.nodes[1]);
  });

  it('switching kind drops what the other kind does not have', () => {
    const doc = docWith({ desktop: true, command: ['sh'], args: ['-c'], resources: { requests: { cpu: '1' } }, security: { user: 'root' } });
    expect(web(setKind(doc, 'web', 'vm'))).toEqual({ name: 'web', kind: 'vm', image: 'nginx:1.27', resources: { requests: { cpu: '1' } } });
    const vm = docWith({ kind: 'vm', resources: { disk: '10Gi' } });
    expect(web(setKind(vm, 'web', 'container')).resources).toBeUndefined();
  });

  it('edits who the node runs as; capabilities go with root, and the token on its own', () => {
    let doc = setCapability(setUser(docWith({}), 'web', 'root'), 'web', 'NET_ADMIN', true);
    expect(web(doc).security).toEqual({ user: 'root', capabilities: ['NET_ADMIN'] });
    doc = setCapability(doc, 'web', 'NET_RAW', true);
    doc = setCapability(doc, 'web', 'NET_ADMIN', false);
    expect(web(doc).security).toEqual({ user: 'root', capabilities: ['NET_RAW'] });
    doc = setToken(setUser(doc, 'web', '1001'), 'web', true);
    expect(web(doc).security).toEqual({ user: 1001, serviceAccountToken: true });
    // Not a number: kept as typed, so validation names the field.
    expect(web(setUser(doc, 'web', 'bob')).security?.user).toBe('bob');
    doc = setToken(setUser(doc, 'web', 'default'), 'web', false);
    expect(web(doc).security).toBeUndefined();
  });

  it('edits command and args one entry per line; empty unsets', () => {
    let doc = setLines(docWith({}), 'web', 'command', 'sleep\ninfinity');
    expect(web(doc).command).toEqual(['sleep', 'infinity']);
    expect(linesOf(web(doc).command)).toBe('sleep\ninfinity');
    doc = setLines(doc, 'web', 'command', '');
    expect('command' in web(doc)).toBe(false);
  });

  it('detaches a network and drops an emptied list', () => {
    const doc = detachNetwork(docWith({ networks: ['a'] }), 'web', 'a');
    expect('networks' in web(doc)).toBe(false);
  });

  it('adds ports with likely numbers first', () => {
    expect(nextPort([])).toBe(80);
    expect(nextPort([80, 443])).toBe(8080);
    expect(nextPort([80, 443, 8080, 22, 5432, 3306, 8000, 9000])).toBe(9001);
    const doc = addPort(addPort(docWith({}), 'web'), 'web');
    expect(web(doc).ports).toEqual([{ port: 80 }, { port: 443 }]);
  });

  it('an exposure follows its port when renumbered, and goes when the port stops being TCP or is removed', () => {
    let doc = docWith({ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }, [{ node: 'web', port: 80, path: '/app' }, { node: 'other', port: 80 }]);
    doc = updatePort(doc, 'web', 0, { port: 8080 });
    expect(doc.lab.exposures).toEqual([{ node: 'web', port: 8080, path: '/app' }, { node: 'other', port: 80 }]);
    doc = updatePort(doc, 'web', 0, { name: 'http' });
    expect(web(doc).ports![0]).toEqual({ port: 8080, name: 'http' });
    expect(doc.lab.exposures).toHaveLength(2);
    doc = updatePort(doc, 'web', 0, { protocol: 'UDP' });
    expect(doc.lab.exposures).toEqual([{ node: 'other', port: 80 }]);
    doc = setExposed(updatePort(doc, 'web', 0, { protocol: undefined }), 'web', 8080, true);
    doc = removePort(doc, 'web', 0);
    expect(web(doc).ports).toEqual([{ port: 53, protocol: 'UDP' }]);
    expect(doc.lab.exposures).toEqual([{ node: 'other', port: 80 }]);
  });

  it('keeps an exposure while another TCP port still declares its number', () => {
    const doc = docWith({ ports: [{ port: 80 }, { port: 80 }] }, [{ node: 'web', port: 80 }]);
    expect(removePort(doc, 'web', 0).lab.exposures).toEqual([{ node: 'web', port: 80 }]);
  });

  it('exposes, sets the web path, and un-exposes', () => {
    let doc = setExposed(docWith({ ports: [{ port: 80 }] }), 'web', 80, true);
    doc = setExposed(doc, 'web', 80, true);
    expect(doc.lab.exposures).toEqual([{ node: 'web', port: 80 }]);
    doc = setExposurePath(doc, 'web', 80, '/shop');
    expect(doc.lab.exposures).toEqual([{ node: 'web', port: 80, path: '/shop' }]);
    expect(setExposurePath(doc, 'web', 80, '').lab.exposures).toEqual([{ node: 'web', port: 80 }]);
    expect(setExposed(doc, 'web', 80, false).lab.exposures).toEqual([]);
  });

  it('edits and removes mounts', () => {
    let doc = docWith({ volumes: [{ volume: 'data', mountPath: '/data' }] });
    doc = updateMount(doc, 'web', 0, { mountPath: '/srv', readOnly: true });
    expect(web(doc).volumes).toEqual([{ volume: 'data', mountPath: '/srv', readOnly: true }]);
    doc = updateMount(doc, 'web', 0, { readOnly: undefined });
    expect(web(doc).volumes).toEqual([{ volume: 'data', mountPath: '/srv' }]);
    expect('volumes' in web(removeMount(doc, 'web', 0))).toBe(false);
  });

  it('adds files with free paths, edits them, reads modes in octal', () => {
    let doc = addFile(addFile(docWith({}), 'web'), 'web');
    expect(web(doc).files!.map((f) => f.path)).toEqual(['/etc/lab-file-1', '/etc/lab-file-2']);
    doc = removeFile(doc, 'web', 0);
    doc = addFile(doc, 'web');
    expect(web(doc).files!.map((f) => f.path)).toEqual(['/etc/lab-file-2', '/etc/lab-file-3']);
    doc = updateFile(doc, 'web', 0, { content: 'hello' });
    doc = setFileMode(doc, 'web', 0, '0644');
    expect(web(doc).files![0]).toEqual({ path: '/etc/lab-file-2', content: 'hello', mode: 0o644 });
    expect(fileModeText(web(doc).files![0]!.mode)).toBe('0644');
    expect(web(setFileMode(doc, 'web', 0, '9x')).files![0]!.mode).toBeUndefined();
    expect(fileModeText(undefined)).toBe('');
  });

  it('edits the environment as rows, with fresh names for new rows', () => {
    let doc = editEnv(docWith({}), 'web', { type: 'add' });
    doc = editEnv(doc, 'web', { type: 'add' });
    expect(web(doc).env).toEqual({ VAR_1: '', VAR_2: '' });
    doc = editEnv(doc, 'web', { type: 'key', index: 0, key: 'PGHOST' });
    doc = editEnv(doc, 'web', { type: 'value', index: 0, value: 'db' });
    expect(Object.entries(web(doc).env!)).toEqual([
      ['PGHOST', 'db'],
      ['VAR_2', ''],
    ]);
    doc = editEnv(editEnv(doc, 'web', { type: 'remove', index: 1 }), 'web', { type: 'remove', index: 0 });
    expect('env' in web(doc)).toBe(false);
  });

  it('sets and unsets requests, limits and disk, dropping emptied groups', () => {
    let doc = setResource(docWith({}), 'web', 'requests', 'cpu', ' 250m ');
    doc = setResource(doc, 'web', 'limits', 'memory', '1Gi');
    expect(web(doc).resources).toEqual({ requests: { cpu: '250m' }, limits: { memory: '1Gi' } });
    doc = setResource(doc, 'web', 'requests', 'cpu', '');
    expect(web(doc).resources).toEqual({ limits: { memory: '1Gi' } });
    doc = setDisk(setResource(doc, 'web', 'limits', 'memory', ''), 'web', '10Gi');
    expect(web(doc).resources).toEqual({ disk: '10Gi' });
    expect('resources' in web(setDisk(doc, 'web', ''))).toBe(false);
  });
});
