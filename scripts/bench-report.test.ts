import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHeader, writeBenchBlock } from './bench-report';

const file = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'bench-report-')), 'benchmarks.md');
  writeFileSync(f, text);
  return f;
};

describe('writeBenchBlock', () => {
  it('adds the block at the end of its section, before the next heading, and keeps the prose', () => {
    const f = file('# Benchmarks\n\n## Publish\n\nHand-written analysis.\n\n### Run\n\nMore.\n\n## Memory\n\nOther.\n');
    writeBenchBlock('## Publish', 'bench:publish', '| a | b |\n|---|---|\n| 1 | 2 |', f);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('Hand-written analysis.\n\n### Run\n\nMore.\n\n<!-- bench:publish:begin -->\n| a | b |');
    expect(text.indexOf('<!-- bench:publish:end -->')).toBeLessThan(text.indexOf('## Memory'));
    expect(text).toContain('## Memory\n\nOther.\n');
  });

  it('replaces the block on the next run, nothing else', () => {
    const f = file('## Canvas\n\nprose\n\n<!-- bench:canvas:begin -->\nold figures\n<!-- bench:canvas:end -->\n\nafter\n');
    writeBenchBlock('## Canvas', 'bench:canvas', 'new figures', f);
    expect(readFileSync(f, 'utf8')).toBe('## Canvas\n\nprose\n\n<!-- bench:canvas:begin -->\nnew figures\n<!-- bench:canvas:end -->\n\nafter\n');
  });

  it('appends a missing section', () => {
    const f = file('# Benchmarks\n');
    writeBenchBlock('## Memory', 'bench:memory', 'figures', f);
    expect(readFileSync(f, 'utf8')).toBe('# Benchmarks\n\n## Memory\n\n<!-- bench:memory:begin -->\nfigures\n<!-- bench:memory:end -->\n');
  });

  it('dates the run and names the command, the machine and the load', () => {
    expect(runHeader('npm run bench:x')).toMatch(/^Last run: `npm run bench:x`, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, Node v\d+\.\d+\.\d+, \d+ cores, load average [\d.]+ [\d.]+ [\d.]+ at the end\.$/);
  });
});
