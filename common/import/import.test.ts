import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLab } from '../lab';
import { importCompose, importContainerlab, formatImportMessage } from './index';
import { canonicalPath, shellWords, toLabel, dockerMemory, dockerCpus } from './names';

const FIXTURES = join(__dirname, '../../test/fixtures/import');
const fixture = (dir: string, file: string) => readFileSync(join(FIXTURES, dir, file), 'utf8');

describe('compose import', () => {
  for (const file of readdirSync(join(FIXTURES, 'compose'))) {
    it(`${file} gives a lab that validates`, () => {
      const r = importCompose(fixture('compose', file), file);
      if (!r.ok) throw new Error(r.errors.map((e) => formatImportMessage(e, file)).join('\n'));
      const v = validateLab(r.lab);
      expect(v.ok ? [] : v.issues).toEqual([]);
      // Every warning points at a line of the file.
      for (const w of r.warnings) expect(w.line, formatImportMessage(w, file)).toBeGreaterThan(0);
    });
  }

  it('maps services, ports, volumes, networks and resources', () => {
    const r = importCompose(fixture('compose', 'nginx-flask-mysql.yaml'), 'nginx-flask-mysql.yaml');
    if (!r.ok) throw new Error('import failed');
    const lab = r.lab;
    expect(lab.metadata.name).toBe('nginx-flask-mysql');
    expect(lab.nodes.map((n) => n.name)).toEqual(['backend', 'db', 'proxy']);
    expect(lab.networks?.map((n) => n.name)).toEqual(['backnet', 'frontnet']);
    const db = lab.nodes.find((n) => n.name === 'db')!;
    expect(db.image).toBe('mariadb:10.6');
    expect(db.args).toEqual(['--default-authentication-plugin=mysql_native_password']);
    expect(db.ports).toEqual([{ port: 3306 }, { port: 33060 }]);
    expect(db.volumes).toEqual([{ volume: 'db-data', mountPath: '/var/lib/mysql' }]);
    expect(db.env).toEqual({ MYSQL_DATABASE: 'example', MYSQL_ROOT_PASSWORD_FILE: '/run/secrets/db-password' });
    expect(lab.nodes.find((n) => n.name === 'backend')!.networks).toEqual(['backnet', 'frontnet']);
    expect(lab.volumes).toEqual([{ name: 'db-data', size: '1Gi' }]);
    const lines = r.warnings.map((w) => `${w.line}:${w.path}`);
    expect(lines).toContain('4:services.backend.build');
    expect(lines).toContain('25:services.db.healthcheck');
    expect(lines).toContain('47:services.proxy.depends_on');
    expect(lines).toContain('53:secrets');
  });

  it('puts services without networks on the default network, and carries limits and merged settings', () => {
    const single = importCompose(fixture('compose', 'single-service.yaml'));
    if (!single.ok) throw new Error('import failed');
    expect(single.lab.networks).toEqual([{ name: 'default' }]);
    expect(single.lab.nodes[0]).toMatchObject({ command: ['/docker-entrypoint.sh'], args: ['nginx', '-g', 'daemon off;'], ports: [{ port: 80 }, { port: 81 }], networks: ['default'] });

    const elk = importCompose(fixture('compose', 'elk.yaml'));
    if (!elk.ok) throw new Error('import failed');
    const logstash = elk.lab.nodes.find((n) => n.name === 'logstash')!;
    expect(logstash.resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } });
    expect(logstash.networks).toEqual(['elk']);
    expect(logstash.ports).toContainEqual({ port: 5000, protocol: 'UDP' });
    // Settings merged from an anchor are reported where the anchor writes them.
    expect(elk.warnings.filter((w) => w.path.endsWith('.restart')).map((w) => w.line)).toEqual([3, 3, 3]);
    // Dotted names are valid Kubernetes variable names: carried, not warned about.
    expect(elk.lab.nodes[0]!.env).toMatchObject({ 'discovery.type': 'single-node', 'xpack.security.enabled': 'false' });
    expect(elk.warnings.some((w) => w.path.startsWith('services.elasticsearch.environment'))).toBe(false);
  });

  it('warns, with the line, about everything it cannot carry', () => {
    const r = importCompose(fixture('compose', 'host-network.yaml'));
    if (!r.ok) throw new Error('import failed');
    const at = (path: string) => r.warnings.find((w) => w.path === path);
    expect(at('services.sniffer.network_mode')?.line).toBe(4);
    // cap_add is carried where a lab node may have it: the sniffer runs as root with NET_ADMIN, as under Docker.
    expect(at('services.sniffer.cap_add')).toBeUndefined();
    expect(r.lab.nodes.find((n) => n.name === 'sniffer')!.security).toEqual({ user: 'root', capabilities: ['NET_ADMIN'] });
    expect(at('services.sniffer.devices')?.line).toBe(6);
    expect(at('services.My_App')?.message).toMatch(/becomes node "my-app"/);
    // An unset variable without a default is empty, as in compose, and said so at its line.
    expect(r.lab.nodes.find((n) => n.name === 'my-app')!.env).toEqual({ PORT: '8080', DEBUG: 'true', URL: 'http://:8080' });
    expect(at('services.My_App.environment.URL')).toMatchObject({ line: 14, message: expect.stringMatching(/variable "HOST" is not set/) });
  });

  it('runs services as root as Docker does, unless a numeric user is given; host-level capabilities and privileged are warned by line', () => {
    const text = 'services:\n  a:\n    image: nginx\n  b:\n    image: alpine\n    user: "1001:1001"\n  c:\n    image: alpine\n    privileged: true\n    cap_add: [SYS_ADMIN, CAP_NET_RAW]\n    cap_drop: [ALL]\n  d:\n    image: alpine\n    user: www-data\n';
    const r = importCompose(text, 'c.yml');
    if (!r.ok) throw new Error('import failed');
    expect(r.lab.nodes.map((n) => n.security)).toEqual([{ user: 'root' }, { user: 1001 }, { user: 'root', capabilities: ['NET_RAW'] }, { user: 'root' }]);
    const line = (path: string) => r.warnings.find((w) => w.path === path);
    expect(line('services.c.privileged')).toMatchObject({ line: 9, message: expect.stringContaining('never granted') });
    expect(line('services.c.cap_add[0]')).toMatchObject({ line: 10, message: expect.stringContaining('SYS_ADMIN is not granted') });
    expect(line('services.c.cap_drop')?.line).toBe(11);
    expect(line('services.d.user')).toMatchObject({ line: 14, message: expect.stringContaining('not a number') });
  });

  it('lists the host side of every short port mapping under what is not carried over', () => {
    const text = 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n      - "127.0.0.1:8443:443"\n      - "[::1]:9000:90"\n      - "81"\n';
    const r = importCompose(text, 'c.yml');
    if (!r.ok) throw new Error('import failed');
    expect(r.lab.nodes[0]!.ports).toEqual([{ port: 80 }, { port: 443 }, { port: 90 }, { port: 81 }]);
    const notes = r.warnings.map((w) => `${w.line}: ${w.message}`);
    expect(notes.filter((n) => n.includes('publishes'))).toEqual([
      expect.stringMatching(/^5: service "web" publishes port 80 on host port 8080; .*exposures: \[\{node: web, port: 80\}\]$/),
      expect.stringMatching(/^6: service "web" publishes port 443 on host port 127\.0\.0\.1:8443; .*exposures: \[\{node: web, port: 443\}\]$/),
      expect.stringMatching(/^7: service "web" publishes port 90 on host port \[::1\]:9000; .*exposures: \[\{node: web, port: 90\}\]$/),
      expect.stringMatching(/^8: service "web" publishes port 81 on a random host port; .*exposures: \[\{node: web, port: 81\}\]$/),
    ]);
  });

  it('gives positioned errors for malformed files', () => {
    const cases: [string, number, RegExp][] = [
      ['services:\n  web: [unclosed\n', 3, /./],
      ['services:\n  web:\n    ports: ["80"]\n', 2, /neither `image` nor `build`/],
      ['name: x\n', 1, /`services` must be a mapping/],
      ['services:\n  web:\n    image: nginx\n    networks: [missing]\n', 4, /network "missing" is not declared/],
      ['- just\n- a list\n', 1, /must be a YAML mapping/],
      ['services:\n  a: &a\n    image: x\n  a: *a\n', 4, /./],
    ];
    for (const [text, line, message] of cases) {
      const r = importCompose(text);
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(r.errors[0]!.line, text).toBe(line);
      expect(r.errors[0]!.message, text).toMatch(message);
    }
  });

  it('refuses alias bombs and oversized files instead of expanding them', () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 0; i < 8; i++) bomb += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]\n`;
    const r = importCompose(bomb + 'services:\n  web:\n    image: nginx\n');
    expect(r.ok).toBe(false);
    expect(importCompose('x'.repeat(3 * 1024 * 1024)).ok).toBe(false);
  });

  it('escapes control characters in messages so a file cannot forge terminal output', () => {
    const r = importCompose('services:\n  "web\\u001b[2J\\nfake.yaml:1:1: ok":\n    image: nginx\n    weird: 1\n');
    if (!r.ok) throw new Error('import failed');
    const text = r.warnings.map((w) => formatImportMessage(w, 'f.yaml')).join('\n');
    expect(text).not.toMatch(/\u001b/);
    expect(text.split('\n')).toHaveLength(r.warnings.length);
  });
});

describe('containerlab import', () => {
  for (const file of readdirSync(join(FIXTURES, 'containerlab'))) {
    it(`${file} gives a lab that validates`, () => {
      const r = importContainerlab(fixture('containerlab', file), file);
      if (!r.ok) throw new Error(r.errors.map((e) => formatImportMessage(e, file)).join('\n'));
      const v = validateLab(r.lab);
      expect(v.ok ? [] : v.issues).toEqual([]);
      for (const w of r.warnings) expect(w.line, formatImportMessage(w, file)).toBeGreaterThan(0);
    });
  }

  it('turns links into networks named after their endpoints, plus the management network', () => {
    const r = importContainerlab(fixture('containerlab', 'frr-triangle.clab.yml'));
    if (!r.ok) throw new Error('import failed');
    expect(r.lab.networks?.map((n) => n.name)).toEqual(['mgmt', 'r1-eth1-r2-eth1', 'r2-eth2-r3-eth1', 'r3-eth2-r1-eth2']);
    expect(r.lab.nodes.map((n) => [n.name, n.image, n.networks])).toEqual([
      ['r1', 'quay.io/frrouting/frr:9.1.0', ['mgmt', 'r1-eth1-r2-eth1', 'r3-eth2-r1-eth2']],
      ['r2', 'quay.io/frrouting/frr:9.1.0', ['mgmt', 'r1-eth1-r2-eth1', 'r2-eth2-r3-eth1']],
      ['r3', 'quay.io/frrouting/frr:9.1.0', ['mgmt', 'r2-eth2-r3-eth1', 'r3-eth2-r1-eth2']],
    ]);
    const pair = importContainerlab(fixture('containerlab', 'linux-pair.clab.yml'));
    if (!pair.ok) throw new Error('import failed');
    expect(pair.lab.nodes[0]!.setup).toBe('ip addr add 192.168.0.1/24 dev eth1\n');
  });

  it('inherits from kinds, groups and defaults, and warns about vendor kinds by line', () => {
    const r = importContainerlab(fixture('containerlab', 'srl-clients.clab.yml'));
    if (!r.ok) throw new Error('import failed');
    expect(r.lab.nodes.map((n) => n.name)).toEqual(['client1', 'client2']);
    expect(r.lab.nodes[0]!.image).toBe('ghcr.io/hellt/network-multitool');
    expect(r.lab.networks?.map((n) => n.name)).toEqual(['srl-mgmt', 'client1-eth2-client2-eth2']);
    expect(r.warnings.find((w) => w.path === 'topology.nodes.srl1.kind')?.line).toBe(15);

    const g = importContainerlab(fixture('containerlab', 'groups-bridge.clab.yml'));
    if (!g.ok) throw new Error('import failed');
    expect(g.lab.metadata.name).toBe('lab-with-groups');
    expect(g.lab.nodes.map((n) => [n.name, n.image, n.args])).toEqual([
      ['web1', 'nginx:1.27', ['nginx', '-g', 'daemon off;']],
      ['web2', 'nginx:1.27', ['nginx', '-g', 'daemon off;']],
      ['client', 'curlimages/curl:8.8.0', ['infinity']],
    ]);
    expect(g.warnings.find((w) => w.path === 'topology.links[3].type')?.line).toBe(25);
  });

  it('runs linux nodes as root with NET_ADMIN and NET_RAW as containerlab does, adds cap-add where a lab may, warns by line where not', () => {
    const r = importContainerlab('name: x\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine, cap-add: [SYS_PTRACE, CAP_SYS_ADMIN]}\n    b: {kind: linux, image: alpine, user: "1001"}\n    c: {kind: linux, image: alpine, user: bob}\n');
    if (!r.ok) throw new Error('import failed');
    expect(r.lab.nodes.map((n) => n.security)).toEqual([
      { user: 'root', capabilities: ['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'] },
      { user: 1001 },
      { user: 'root', capabilities: ['NET_ADMIN', 'NET_RAW'] },
    ]);
    expect(r.warnings.find((w) => w.path === 'topology.nodes.a.cap-add[1]')).toMatchObject({ line: 4, message: expect.stringContaining('SYS_ADMIN is not granted') });
    expect(r.warnings.find((w) => w.path === 'topology.nodes.c.user')).toMatchObject({ line: 6, message: expect.stringContaining('not a number') });
    const v = validateLab(r.lab);
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  it('gives positioned errors for malformed topologies', () => {
    const cases: [string, number, RegExp][] = [
      ['name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n', 4, /has no `image`/],
      ['name: x\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine}\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n', 6, /"b:eth1" names no node/],
      ['name: x\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine}\n  links:\n    - endpoints: ["a:eth1"]\n', 6, /exactly two/],
      ['name: x\n', 1, /topology.nodes/],
      ['name: x\ntopology:\n  nodes: {a: {kind: linux, image: alpine}\n', 4, /./],
    ];
    for (const [text, line, message] of cases) {
      const r = importContainerlab(text);
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(r.errors[0]!.line, text).toBe(line);
      expect(r.errors[0]!.message, text).toMatch(message);
    }
  });
});

describe('name and value helpers', () => {
  it('makes DNS-1035 labels', () => {
    expect(toLabel('My_App')).toBe('my-app');
    expect(toLabel('1st')).toBe('n-1st');
    expect(toLabel('x'.repeat(80))).toHaveLength(40);
  });
  it('splits shell words', () => {
    expect(shellWords(`nginx -g "daemon off;" 'a b' c\\ d`)).toEqual(['nginx', '-g', 'daemon off;', 'a b', 'c d']);
  });
  it('spells container paths the one way the lab accepts', () => {
    expect(canonicalPath('/var/lib/mysql/')).toBe('/var/lib/mysql');
    expect(canonicalPath('/srv//data/./x/')).toBe('/srv/data/x');
    expect(canonicalPath('/')).toBe('/');
    // `..` changes the directory: left for validation to refuse; relative paths are not touched.
    expect(canonicalPath('/a/../b/')).toBe('/a/../b');
    expect(canonicalPath('data/')).toBe('data/');
  });
  it('reads docker sizes and cpus', () => {
    expect(dockerMemory('512M')).toBe('512Mi');
    expect(dockerMemory('1.5g')).toBe('1536Mi');
    expect(dockerMemory('lots')).toBeUndefined();
    expect(dockerCpus('0.25')).toBe('250m');
    expect(dockerCpus('-1')).toBeUndefined();
  });
});
