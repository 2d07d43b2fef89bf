// Import fidelity over compose files shaped like compose's own examples: for each, what the lab
// carries (by field) and what is warned or refused (by line), so a change in either shows here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLab } from '../lab';
import { importCompose } from './compose';
import { formatImportMessage, type ImportResult } from './source';

const FIXTURES = join(__dirname, '../../test/fixtures/import');
const load = (dir: string, file: string, options = {}) => importCompose(readFileSync(join(FIXTURES, dir, file), 'utf8'), file, options);

function imported(file: string, options = {}) {
  const r = load('compose', file, options);
  if (!r.ok) throw new Error(r.errors.map((e) => formatImportMessage(e, file)).join('\n'));
  const v = validateLab(r.lab);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return { lab: v.lab, warnings: r.warnings };
}
/** `line:path` of every warning, the way a reader scans the import's report. */
const where = (r: { warnings: ImportResult['warnings'] }) => r.warnings.map((w) => `${w.line}:${w.path}`);
const message = (r: { warnings: ImportResult['warnings'] }, line: number) => r.warnings.filter((w) => w.line === line).map((w) => w.message);

describe('compose fidelity: published ports', () => {
  const r = imported('published-ports.yaml');

  it('carries every container port, TCP and UDP, ranges expanded', () => {
    expect(r.lab.nodes.map((n) => [n.name, n.ports])).toEqual([
      ['git', [{ port: 3000 }, { port: 22 }]],
      ['dns', [{ port: 53, protocol: 'UDP' }, { port: 53 }]],
      ['dashboard', [{ port: 80 }, { port: 9443 }]],
      ['ftp', [{ port: 21 }, { port: 21100 }, { port: 21101 }, { port: 21102 }, { port: 21103 }, { port: 9090 }]],
    ]);
    expect(r.lab.exposures).toEqual([]);
  });

  it('warns at each published entry with the service and the exposure to add', () => {
    expect(where(r)).toEqual([
      '6:services.git.ports[0]',
      '7:services.git.ports[1]',
      '14:services.dns.ports[0]',
      '15:services.dns.ports[1]',
      '19:services.dashboard.ports[0]',
      '24:services.dashboard.ports[1]',
      '29:services.ftp.ports[0]',
      '30:services.ftp.ports[1]',
      '31:services.ftp.ports[2]',
    ]);
    expect(message(r, 6)).toEqual([
      'service "git" publishes port 3000 on host port 3000; a lab node has no host ports, so it is open to the node\'s networks only. If it serves HTTP, open it from a browser by adding to the lab: exposures: [{node: git, port: 3000}]',
    ]);
    expect(message(r, 7)[0]).toMatch(/^service "git" publishes port 22 on host port 127\.0\.0\.1:2222; .*exposures: \[\{node: git, port: 22\}\]$/);
    expect(message(r, 14)[0]).toBe('service "dns" publishes UDP port 53 on host port 53; a lab node has no host ports, so it is open to the node\'s networks only, and exposures carry HTTP over TCP only');
    // app_protocol: http says it is HTTP, so no "if".
    expect(message(r, 19)[0]).toMatch(/^service "dashboard" publishes port 80 on host port 0\.0\.0\.0:8081; .*\. Open it from a browser by adding to the lab: exposures: \[\{node: dashboard, port: 80\}\]$/);
    expect(message(r, 24)[0]).toMatch(/^service "dashboard" publishes port 9443 on a random host port;/);
    expect(message(r, 30)[0]).toMatch(/publishes ports 21100, 21101, 21102, 21103 on host port 21100-21103; .*exposures: \[\{node: ftp, port: 21100\}, \{node: ftp, port: 21101\}, \{node: ftp, port: 21102\}, \{node: ftp, port: 21103\}\]$/);
    expect(message(r, 31)[0]).toMatch(/^service "ftp" publishes port 9090 on a random host port;/);
  });

  it('gives an exposure that validates once added', () => {
    const withExposure = { ...r.lab, exposures: [{ node: 'git', port: 3000 }, { node: 'dashboard', port: 80 }] };
    expect(validateLab(withExposure).ok).toBe(true);
  });
});

describe('compose fidelity: variables with defaults', () => {
  it('interpolates image tags, ports, environment and volume paths from the defaults', () => {
    const r = imported('env-defaults.yaml');
    const [wiki, db] = r.lab.nodes;
    expect(wiki).toMatchObject({
      image: 'ghcr.io/example/wiki:2.5',
      ports: [{ port: 3000 }],
      env: { DB_HOST: 'db', DB_USER: 'wiki', DB_PASS: 'changeme', WIKI_URL: 'http://localhost:8080/' },
      // The default "/wiki/data/" loses its trailing slash.
      volumes: [{ volume: 'wiki-data', mountPath: '/wiki/data' }],
    });
    expect(db).toMatchObject({
      image: 'postgres:16-alpine',
      // $$ reaches the container as one $, for its shell to expand.
      args: ['sh', '-c', 'echo starting as $POSTGRES_USER && exec docker-entrypoint.sh postgres'],
      volumes: [{ volume: 'db-data', mountPath: '/var/lib/postgresql/data' }],
    });
    expect(where(r)).toEqual(['7:services.wiki.ports[0]', '15:services.wiki.depends_on', '28:volumes.wiki-data', '29:volumes.db-data']);
    expect(message(r, 7)[0]).toMatch(/publishes port 3000 on host port 8080;/);
  });

  it('takes values from the env file over the defaults', () => {
    const r = imported('env-defaults.yaml', { env: { WIKI_TAG: '3.0', WIKI_PORT: '9000', POSTGRES_PASSWORD: '', WIKI_DATA_DIR: '/srv/wiki//data/' } });
    expect(r.lab.nodes[0]).toMatchObject({
      image: 'ghcr.io/example/wiki:3.0',
      // `-` (no colon) keeps an empty value; `:-` would not.
      env: { DB_PASS: '', WIKI_URL: 'http://localhost:9000/' },
      volumes: [{ volume: 'wiki-data', mountPath: '/srv/wiki/data' }],
    });
    expect(message(r, 7)[0]).toMatch(/on host port 9000;/);
  });
});

describe('compose fidelity: one-shot services', () => {
  const r = imported('one-shot-migrate.yaml');

  it('keeps them as nodes', () => {
    expect(r.lab.nodes.map((n) => [n.name, n.args?.[0]])).toEqual([
      ['db', undefined],
      ['migrate', 'python'],
      ['seed', 'python'],
      ['web', 'gunicorn'],
    ]);
  });

  it('says at their lines what Labforge does with them', () => {
    expect(where(r)).toEqual([
      '11:services.migrate.restart',
      '12:services.migrate.depends_on',
      '15:services.seed',
      '18:services.seed.depends_on',
      '20:services.seed.depends_on.migrate.condition',
      '24:services.web.working_dir',
      '26:services.web.ports[0]',
      '27:services.web.depends_on',
      '29:services.web.depends_on.migrate.condition',
      '31:services.web.depends_on.seed.condition',
      '32:services.web.restart',
    ]);
    expect(message(r, 11)[0]).toMatch(/^service "migrate" has restart: "no", so compose runs it once; it becomes a node like any other: a Deployment whose container Kubernetes starts again each time it exits, .*CrashLoopBackOff.*sleep infinity.*`setup`/);
    expect(message(r, 15)[0]).toMatch(/^service "seed" runs once in compose \(others wait for it to complete\); it becomes a node like any other/);
    expect(message(r, 29)[0]).toBe('service "web" waits for "migrate" to complete; in a lab every node starts at once and "migrate" never completes for good (see its warning), so "web" must retry until what "migrate" prepares is there');
    expect(message(r, 24)[0]).toBe('`working_dir` "/srv/shop": the working directory comes from the image');
    expect(message(r, 32)[0]).toBe('`restart`: Kubernetes restarts containers itself');
  });

  it('treats on-failure like "no"', () => {
    const text = 'services:\n  job:\n    image: busybox\n    restart: on-failure:3\n';
    const res = importCompose(text);
    expect(res.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([expect.stringMatching(/^4: service "job" has restart: "on-failure:3", so compose runs it until it succeeds; it becomes a node/)]);
  });
});

describe('compose fidelity: environment names', () => {
  it('keeps the names Kubernetes accepts (dots, dashes) and warns about the rest by line', () => {
    const r = imported('spring-kafka.yaml');
    expect(r.lab.nodes[1]!.env).toEqual({
      'spring.kafka.bootstrap-servers': 'kafka:9092',
      'spring.profiles.active': 'docker',
      'server.port': '8080',
      JAVA_TOOL_OPTIONS: '-Xmx256m',
    });
    expect(r.lab.nodes[1]!.volumes).toEqual([{ volume: 'orders-cache', mountPath: '/var/cache/orders' }]);
    expect(where(r)).toEqual(['19:services.orders.environment.1BAD', '21:services.orders.ports[0]', '25:volumes.orders-cache']);
    expect(message(r, 19)[0]).toMatch(/"1BAD" is not imported: Kubernetes takes names of letters, digits, '_', '-' and '\.'/);
  });
});

describe('compose fidelity: what is refused, by line', () => {
  const refused = (file: string, options = {}) => {
    const r = load('compose-refused', file, options);
    if (r.ok) throw new Error(`${file} was imported`);
    return r.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`);
  };

  it('refuses build-only services instead of inventing an image', () => {
    expect(refused('build-only.yaml')).toEqual([
      '4:5: services.frontend.build: service "frontend" has `build` but no `image`: Labforge runs images, it does not build them; build and push the image, then give the service `image: <registry>/<name>:<tag>`',
      expect.stringMatching(/^20:5: services\.backend\.build: service "backend" has `build` but no `image`/),
    ]);
  });

  it('refuses a volume several services mount, naming them and their lines', () => {
    const errors = refused('shared-volume.yaml');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(
      '13:9: services.php.volumes[0]: volume "code" is mounted by services "web" (line 8), "php" (line 13) and "cron" (line 18): a lab volume is a ReadWriteOnce claim that one node mounts, so services cannot share it; give each service its own volume, or run the containers that share files in one service',
    );
    expect(errors[1]).toMatch(/^18:9: services\.cron\.volumes\[0\]: volume "code" is mounted by services/);
  });

  it('refuses required variables without a value and $ forms compose refuses, at their value', () => {
    expect(refused('required-variable.yaml')).toEqual([
      expect.stringMatching(/^6:28: services\.db\.environment\.MYSQL_ROOT_PASSWORD: variable "MYSQL_ROOT_PASSWORD" must be set and not empty; the file says: "set MYSQL_ROOT_PASSWORD in \.env" \(give it a value in an env file: the \.env beside the compose file, .*--env-file/),
      expect.stringMatching(/^7:23: services\.db\.environment\.MYSQL_DATABASE: variable "MYSQL_DATABASE" must be set \(/),
      '8:14: services.db.command: "--character-set-server=utf8mb4 $1" cannot be interpolated: a "$" is not followed by a variable name; write "$$" for a literal "$"',
    ]);
    // With the variables set, only the bad $ is left.
    expect(refused('required-variable.yaml', { env: { MYSQL_ROOT_PASSWORD: 'x', MYSQL_DATABASE: '' } })).toEqual([expect.stringMatching(/^8:14: /)]);
  });
});
