import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandArgv, newMarker, TrailerStripper } from './command';

/** Runs the wrapper with the local sh, feeding its stdout to a stripper in small pieces. */
function run(command: string, piece = 3) {
  const marker = newMarker();
  const [sh, ...args] = commandArgv(marker, command);
  const out = spawnSync(sh!, args, { encoding: 'buffer' }).stdout;
  const s = new TrailerStripper(marker);
  const parts: Buffer[] = [];
  for (let i = 0; i < out.length; i += piece) parts.push(s.push(out.subarray(i, i + piece)));
  const end = s.finish();
  return { text: Buffer.concat([...parts, end.rest]).toString(), code: end.code };
}

describe('command wrapper and trailer', () => {
  it('returns the output untouched and the exit code', () => {
    expect(run('echo ok; exit 3')).toEqual({ text: 'ok\n', code: 3 });
    expect(run('printf no-newline')).toEqual({ text: 'no-newline', code: 0 });
    expect(run('')).toEqual({ text: '', code: 0 });
    expect(run('kill -TERM $$')).toEqual({ text: '', code: 143 });
  });

  it('keeps output that looks like a trailer with another marker', () => {
    const r = run("printf '\\n__labforge_ssh_0000__ 7\\n'; exit 1", 1);
    expect(r).toEqual({ text: '\n__labforge_ssh_0000__ 7\n', code: 1 });
  });

  it('gives no code when the trailer is missing', () => {
    const s = new TrailerStripper(newMarker());
    const out = s.push(Buffer.from('partial output that was cut'));
    const end = s.finish();
    expect(Buffer.concat([out, end.rest]).toString()).toBe('partial output that was cut');
    expect(end.code).toBeNull();
  });

  it('passes megabytes through while holding only the trailer room', () => {
    const marker = newMarker();
    const s = new TrailerStripper(marker);
    let passed = 0;
    for (let i = 0; i < 64; i++) passed += s.push(Buffer.alloc(16_384, 0x61)).length;
    passed += s.push(Buffer.from(`\n${marker} 0\n`)).length;
    const end = s.finish();
    expect(end.code).toBe(0);
    expect(passed + end.rest.length).toBe(64 * 16_384);
    expect(end.rest.length).toBeLessThanOrEqual(marker.length + 6);
  });
});
