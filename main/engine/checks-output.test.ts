import { describe, expect, it } from 'vitest';
import { checkCommand, OutputTail, readTrailer, TAIL_BYTES } from './checks-output';

const push = (tail: OutputTail, ...parts: string[]) => parts.forEach((p) => tail.push(Buffer.from(p)));

describe('OutputTail', () => {
  it('keeps only the last TAIL_BYTES and counts everything', () => {
    const tail = new OutputTail();
    for (let i = 0; i < 1000; i++) push(tail, `${String(i).padStart(5, '0')}${'.'.repeat(1019)}\n`);
    expect(tail.bytes).toBe(1000 * 1025);
    const text = tail.text();
    expect(text.length).toBe(TAIL_BYTES);
    expect(text.endsWith(`${'.'.repeat(1019)}\n`)).toBe(true);
    expect(text).toContain('00999');
    expect(text).not.toContain('00990');
  });

  it('finds the first FAIL: line across chunk boundaries, and only at a line start', () => {
    const tail = new OutputTail();
    push(tail, 'ok\nnot FAIL: this\nFA', 'IL: first ', 'reason\r\nFAIL: second\n');
    expect(tail.failLine).toBe('FAIL: first reason');
  });

  it('takes a FAIL: line the output ends on without a newline', () => {
    const tail = new OutputTail();
    push(tail, 'x\nFAIL: last words');
    expect(tail.failLine).toBeNull();
    tail.finish();
    expect(tail.failLine).toBe('FAIL: last words');
  });

  it('cuts a very long FAIL: line', () => {
    const tail = new OutputTail();
    push(tail, `FAIL: ${'y'.repeat(100_000)}\n`);
    expect(tail.failLine!.length).toBe(500);
  });
});

describe('readTrailer', () => {
  const m = '__labforge_check_abc__';
  it('reads the exit code and strips the trailer', () => {
    expect(readTrailer(`hello\n\n${m} 3\n`, m)).toEqual({ code: 3, timedOut: false, output: 'hello\n' });
  });
  it('tells a timeout from the watchdog line', () => {
    expect(readTrailer(`a\n\n${m} timeout\nTerminated\n\n${m} 143\n`, m)).toEqual({ code: 143, timedOut: true, output: 'a\nTerminated\n' });
  });
  it('is null without a trailer, or with output after it', () => {
    expect(readTrailer('cut off', m)).toBeNull();
    expect(readTrailer(`x\n${m} 0\nmore`, m)).toBeNull();
    // A script printing a look-alike without the marker proves nothing.
    expect(readTrailer('\n__labforge_check_guess__ 0\n', m)).toBeNull();
  });
});

describe('checkCommand', () => {
  it('passes marker, timeout and script as arguments, never inside the shell text', () => {
    const cmd = checkCommand('M', 7, 'echo "$HOME"; exit 2');
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd.slice(3)).toEqual(['labforge-check', 'M', '7', 'echo "$HOME"; exit 2']);
  });
});
