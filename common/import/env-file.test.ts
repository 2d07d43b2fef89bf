import { describe, expect, it } from 'vitest';
import { formatEnvFileMessage, parseEnvFiles } from './env-file';

const one = (text: string) => parseEnvFiles([{ name: '.env', text }]);

describe('env files for compose interpolation', () => {
  it('reads KEY=value lines, comments, export and quotes as compose does', () => {
    const r = one(
      [
        '# a comment',
        '',
        'TAG=1.2',
        'export REGION = eu-west  ',
        'URL=http://example.com/#anchor # a trailing comment',
        "LITERAL='keeps $TAG and \\n as written'",
        'DOUBLE="line one\\nline two with $TAG and \\$TAG"',
        'EMPTY=',
        'spring.profiles.active=demo',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.vars).toEqual({
      TAG: '1.2',
      REGION: 'eu-west',
      URL: 'http://example.com/#anchor',
      LITERAL: 'keeps $TAG and \\n as written',
      DOUBLE: 'line one\nline two with 1.2 and $TAG',
      EMPTY: '',
      'spring.profiles.active': 'demo',
    });
  });

  it('lets values use variables set above, and quoted values span lines', () => {
    const r = one('HOST=db\nDSN=postgres://${HOST}:${PORT:-5432}/app\nCERT="-----BEGIN-----\nabc\n-----END-----"\nAFTER=1\n');
    expect(r.vars).toEqual({ HOST: 'db', DSN: 'postgres://db:5432/app', CERT: '-----BEGIN-----\nabc\n-----END-----', AFTER: '1' });
  });

  it('lets a later file override an earlier one', () => {
    const r = parseEnvFiles([
      { name: 'base.env', text: 'TAG=1\nPORT=80\n' },
      { name: 'prod.env', text: 'TAG=2\nURL=http://x:${PORT}\n' },
    ]);
    expect(r.vars).toEqual({ TAG: '2', PORT: '80', URL: 'http://x:80' });
  });

  it('gives positioned errors and warnings', () => {
    const r = one('OK=1\nnot a line\nBARE\nUSES=$NOPE\nOPEN="never closed\nREQ=${X:?needed}\nBAD=$1\n');
    expect(r.errors.map(formatEnvFileMessage)).toEqual([
      '.env:2:1: "not a line" is not a variable name: a line is KEY=value',
      '.env:5:1: the " quote of "OPEN" is not closed',
    ]);
    // The unclosed quote swallows the rest of the file, as it would in compose.
    expect(r.warnings.map(formatEnvFileMessage)).toEqual([
      '.env:3:1: "BARE" has no "=value"; it is left unset',
      '.env:4:1: "USES" uses "NOPE", which is not set above; it is replaced by an empty string',
    ]);
    const r2 = one('REQ=${X:?needed}\nBAD=$1\n');
    expect(r2.errors.map((e) => `${e.line}: ${e.message}`)).toEqual(['1: "REQ": variable "X" must be set and not empty; the file says: "needed"', expect.stringMatching(/^2: "BAD": a "\$" is not followed/)]);
  });

  it('finds an unclosed quote in one pass, however long the file', () => {
    const started = Date.now();
    const r = one(`A="open\n${'X=1\n'.repeat(60_000)}`);
    expect(r.errors.map((e) => e.line)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not let a variable named __proto__ reach the prototype', () => {
    const r = one('__proto__=x\n');
    expect(Object.getPrototypeOf(r.vars)).toBeNull();
    expect(r.vars['__proto__']).toBe('x');
  });

  it('escapes control characters in messages', () => {
    const r = one('"\u001b[2J=1\n');
    expect(formatEnvFileMessage(r.errors[0]!)).not.toMatch(/\u001b/);
  });
});
