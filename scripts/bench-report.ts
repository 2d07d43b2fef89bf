/**
 * Where the benchmarks write their figures: a generated block inside their section of
 * docs/benchmarks.md, between `<!-- <name>:begin -->` and `<!-- <name>:end -->`, replaced on every
 * run. The prose around the block (what the figures mean, what was tried) is written by hand
 * and stays. A section without the block gets it at its end; a missing section is appended.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** BENCH_DOCS names another file, for a trial run that must not touch the real figures. */
const DOCS = process.env['BENCH_DOCS'] ?? join(import.meta.dirname, '..', 'docs', 'benchmarks.md');

/** The line every generated block starts with: command, date, machine and load, so a figure is never read without them. */
export function runHeader(command: string): string {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `Last run: \`${command}\`, ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, Node ${process.version}, ${cpus().length} cores, load average ${load} at the end.`;
}

/** Replaces (or adds) the block `name` in the section headed `heading` with `markdown`. */
export function writeBenchBlock(heading: string, name: string, markdown: string, docs = DOCS): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const text = readFileSync(docs, 'utf8');
  let next: string;
  const b = text.indexOf(begin);
  const e = text.indexOf(end);
  if (b >= 0 && e > b) {
    next = text.slice(0, b) + block + text.slice(e + end.length);
  } else {
    const start = text.indexOf(`\n${heading}\n`);
    if (start < 0) {
      next = `${text.trimEnd()}\n\n${heading}\n\n${block}\n`;
    } else {
      const level = heading.match(/^#+/)?.[0] ?? '##';
      // The section ends at the next heading of the same or a higher level.
      const rest = text.slice(start + heading.length + 2);
      const m = new RegExp(`\\n#{1,${level.length}} `).exec(rest);
      const at = m ? start + heading.length + 2 + m.index : text.length;
      next = `${text.slice(0, at).trimEnd()}\n\n${block}\n${text.slice(at)}`;
    }
  }
  writeFileSync(docs, next);
}

/** A benchmark's printed lines, kept so they can go into its block as they were printed. */
export function benchLog(): { log: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => {
      lines.push(line);
      process.stdout.write(`${line}\n`);
    },
  };
}

/** The block for a benchmark whose report is its printed lines: the run header, then the lines verbatim. */
export function writeBenchOutput(heading: string, name: string, command: string, lines: string[]): void {
  writeBenchBlock(heading, name, `${runHeader(command)}\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
}
