import { describe, expect, it } from 'vitest';
import { interpolate, InterpolationError } from './interpolate';

const vars: Record<string, string> = { TAG: '1.2', EMPTY: '', HOST: 'db', PORT: '5432' };
const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
const value = (text: string) => interpolate(text, lookup).value;
const problem = (text: string) => {
  try {
    interpolate(text, lookup);
  } catch (err) {
    if (err instanceof InterpolationError) return err;
    throw err;
  }
  throw new Error(`"${text}" interpolated without an error`);
};

describe('compose interpolation of one string', () => {
  it('replaces $VAR and ${VAR}, and leaves text without $ alone', () => {
    expect(value('nginx:${TAG}')).toBe('nginx:1.2');
    expect(value('postgres://$HOST:$PORT/app')).toBe('postgres://db:5432/app');
    expect(value('${HOST}${PORT}')).toBe('db5432');
    expect(value('plain text, no dollars')).toBe('plain text, no dollars');
  });

  it('takes defaults with :- (unset or empty) and - (unset only)', () => {
    expect(value('${MISSING:-8080}')).toBe('8080');
    expect(value('${EMPTY:-fallback}')).toBe('fallback');
    expect(value('${MISSING-8080}')).toBe('8080');
    expect(value('${EMPTY-fallback}')).toBe('');
    expect(value('${TAG:-latest}')).toBe('1.2');
    expect(value('${MISSING:-}')).toBe('');
    expect(value('${MISSING:-/data/with spaces/}')).toBe('/data/with spaces/');
  });

  it('nests variables in defaults, evaluated only when taken', () => {
    expect(value('${MISSING:-${HOST}:${PORT}}')).toBe('db:5432');
    expect(value('${MISSING:-${ALSO_MISSING:-deep}}')).toBe('deep');
    expect(interpolate('${TAG:-${NOPE}}', lookup)).toEqual({ value: '1.2', unset: [] });
    // A required variable in a default that is not taken is not required.
    expect(value('${TAG:-${NOPE:?never}}')).toBe('1.2');
  });

  it('replaces with :+ and + when set', () => {
    expect(value('${TAG:+--tag=$TAG}')).toBe('--tag=1.2');
    expect(value('${EMPTY:+x}')).toBe('');
    expect(value('${EMPTY+x}')).toBe('x');
    expect(value('${MISSING+x}')).toBe('');
  });

  it('keeps $$ as a literal $ and does not read what follows it', () => {
    expect(value('echo $$HOME')).toBe('echo $HOME');
    expect(value('$${TAG}')).toBe('${TAG}');
    expect(value('cost: 5$$')).toBe('cost: 5$');
  });

  it('makes unset variables empty and lists them once', () => {
    expect(interpolate('http://${NOPE}:${NOPE}/$OTHER', lookup)).toEqual({ value: 'http://:/', unset: ['NOPE', 'OTHER'] });
  });

  it('refuses required variables without a value, with the file\'s message', () => {
    expect(problem('${NOPE:?set NOPE in .env}')).toMatchObject({ required: 'NOPE', message: 'variable "NOPE" must be set and not empty; the file says: "set NOPE in .env"' });
    expect(problem('${EMPTY:?}').message).toBe('variable "EMPTY" must be set and not empty');
    expect(problem('${NOPE?}').message).toBe('variable "NOPE" must be set');
    expect(value('${EMPTY?}')).toBe('');
    expect(value('${TAG:?unused}')).toBe('1.2');
  });

  it('refuses defaults nested deeper than any file needs, instead of exhausting the stack', () => {
    const deep = '${A:-'.repeat(100_000) + 'x' + '}'.repeat(100_000);
    expect(problem(deep).message).toMatch(/nested more than 32 deep/);
    expect(value('${A:-'.repeat(32) + 'ok' + '}'.repeat(32))).toBe('ok');
  });

  it('refuses a $ that starts no variable, saying how to write a literal one', () => {
    for (const bad of ['echo $1', 'price $', '${', '${TAG', '${1X}', '${TAG!x}', '${TAG:-x']) {
      const err = problem(bad);
      expect(err.required, bad).toBeUndefined();
      expect(err.message, bad).toMatch(/write "\$\$" for a literal "\$"$/);
    }
  });
});
