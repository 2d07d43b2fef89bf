import { describe, expect, it } from 'vitest';
import { importCompose } from './compose';

const ok = (text: string, env: Record<string, string> = {}) => {
  const r = importCompose(text, 'compose.yaml', { env });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};

describe('interpolating a whole compose file', () => {
  it('reaches every string field: image, command, ports, environment lists, volume paths', () => {
    const text = [
      'services:',
      '  app:',
      '    image: ${REGISTRY:-docker.io}/team/app:${TAG}',
      '    command: ["--listen", ":${PORT:-8000}"]',
      '    ports: ["${HOST_PORT:-80}:${PORT:-8000}"]',
      '    environment:',
      '      - MODE=${MODE:-dev}',
      '    volumes:',
      '      - ${VOLUME:-data}:${DATA:-/data/}',
      '      - type: volume',
      '        source: logs',
      '        target: ${LOGS}',
      '        read_only: ${RO:-true}',
      'volumes: {data: {}, logs: {}}',
    ].join('\n');
    const r = ok(text, { TAG: '7', PORT: '9000', LOGS: '/var/log/app/' });
    expect(r.lab.nodes[0]).toMatchObject({
      image: 'docker.io/team/app:7',
      args: ['--listen', ':9000'],
      ports: [{ port: 9000 }],
      env: { MODE: 'dev' },
      volumes: [
        { volume: 'data', mountPath: '/data' },
        { volume: 'logs', mountPath: '/var/log/app', readOnly: true },
      ],
    });
    expect(r.warnings.find((w) => w.path === 'services.app.ports[0]')?.message).toMatch(/port 9000 on host port 80;/);
  });

  it('leaves keys as written, and interpolates shared settings once where the anchor is', () => {
    const text = ['x-env: &env', '  LEVEL: ${LEVEL:-info}', '  ${KEY}: kept', 'services:', '  a:', '    image: busybox', '    environment: *env', '  b:', '    image: busybox', '    environment:', '      <<: *env', '      OWN: ${OWN:-1}'].join('\n');
    const r = ok(text, { LEVEL: 'debug' });
    expect(r.lab.nodes[0]!.env).toEqual({ LEVEL: 'debug' });
    expect(r.lab.nodes[1]!.env).toEqual({ LEVEL: 'debug', OWN: '1' });
    // "${KEY}" is not a variable name Kubernetes accepts: warned, not interpolated.
    expect(r.warnings.filter((w) => w.message.includes('${KEY}')).length).toBeGreaterThan(0);
  });

  it('warns once per unset variable, at its first use', () => {
    const r = ok('services:\n  a:\n    image: "busybox:${TAG}"\n  b:\n    image: "alpine:${TAG}"\n');
    expect(r.lab.nodes.map((n) => n.image)).toEqual(['busybox:', 'alpine:']);
    expect(r.warnings.map((w) => `${w.line}:${w.column}: ${w.path}: ${w.message.split(":")[0]}`)).toEqual(['3:12: services.a.image: variable "TAG" is not set and has no default']);
  });

  it('gives entries written without a value the env file\'s value, as compose does', () => {
    const r = ok('services:\n  a:\n    image: busybox\n    environment:\n      - API_KEY\n      - MISSING\n', { API_KEY: 'k-123' });
    expect(r.lab.nodes[0]!.env).toEqual({ API_KEY: 'k-123' });
    expect(r.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([expect.stringMatching(/^6: "MISSING" takes its value from the host's environment in compose, and the env file does not set it/)]);
  });

  it('leaves numbers, booleans and strings without $ untouched', () => {
    const r = ok('services:\n  a:\n    image: busybox\n    environment:\n      N: 3\n      B: true\n      S: "a $$ b"\n');
    expect(r.lab.nodes[0]!.env).toEqual({ N: '3', B: 'true', S: 'a $ b' });
  });
});
