import { describe, expect, it } from 'vitest';
import { csvCell, gradesCsv, type GradesStudent } from './grades-csv';

const HEADER = 'student,check,passed,points,time,status,max_points,title';
const lines = (csv: string) => {
  expect(csv.endsWith('\r\n')).toBe(true);
  return csv.slice(0, -2).split('\r\n');
};

const checks = [
  { id: 'web-up', title: 'Start the web server', points: 3 },
  { id: 'db-up', title: 'Start the database' },
];

describe('gradesCsv', () => {
  it('writes a header and one row per student × check, passed with the first pass time, else the last run', () => {
    const alice: GradesStudent = {
      student: 'alice',
      checks,
      results: {
        checks: {
          'web-up': { status: 'pass', lastRunAt: '2026-03-02T10:00:00.000Z', firstPassAt: '2026-03-01T09:30:00.000Z' },
          'db-up': { status: 'timeout', lastRunAt: '2026-03-02T10:00:05.000Z' },
        },
      },
    };
    expect(lines(gradesCsv([alice]))).toEqual([
      HEADER,
      'alice,web-up,true,3,2026-03-01T09:30:00.000Z,pass,3,Start the web server',
      'alice,db-up,false,0,2026-03-02T10:00:05.000Z,timeout,1,Start the database',
    ]);
  });

  it('a check that passed once but fails now is not passed, at its last run', () => {
    const s: GradesStudent = { student: 'bob', checks: [checks[0]!], results: { checks: { 'web-up': { status: 'fail', lastRunAt: '2026-03-03T08:00:00Z', firstPassAt: '2026-03-01T09:30:00Z' } } } };
    expect(lines(gradesCsv([s]))[1]).toBe('bob,web-up,false,0,2026-03-03T08:00:00.000Z,fail,3,Start the web server');
  });

  it('times are written in UTC; a time that is not one is left empty', () => {
    const s: GradesStudent = {
      student: 'carol',
      checks,
      results: { checks: { 'web-up': { status: 'pass', lastRunAt: '2026-03-01T11:30:00+02:00', firstPassAt: '2026-03-01T11:30:00+02:00' }, 'db-up': { status: 'error', lastRunAt: 'yesterday' } } },
    };
    const [, web, db] = lines(gradesCsv([s]));
    expect(web).toContain(',2026-03-01T09:30:00.000Z,');
    expect(db).toBe('carol,db-up,false,0,,error,1,Start the database');
  });

  it('a student with no results has a "not run" row for every check, with no time', () => {
    expect(lines(gradesCsv([{ student: 'dave', checks, results: { checks: {} } }])).slice(1)).toEqual([
      'dave,web-up,false,0,,not run,3,Start the web server',
      'dave,db-up,false,0,,not run,1,Start the database',
    ]);
  });

  it('a class whose lab has no checks is the header alone', () => {
    expect(gradesCsv([{ student: 'erin', checks: [], results: { checks: {} } }])).toBe(`${HEADER}\r\n`);
    expect(gradesCsv([])).toBe(`${HEADER}\r\n`);
  });

  it('orders students by id and keeps each student\'s check order (the run order), not the record\'s', () => {
    const mk = (student: string): GradesStudent => ({
      student,
      checks: [{ id: 'z-last-id', title: 'first to run' }, { id: 'a-first-id', title: 'second to run' }],
      results: { checks: { 'a-first-id': { status: 'pass', lastRunAt: '2026-03-01T00:00:00Z' } } },
    });
    const rows = lines(gradesCsv([mk('student-10'), mk('Student-02'), mk('student-01')])).slice(1);
    expect(rows.map((r) => r.split(',').slice(0, 2).join(' '))).toEqual([
      'student-01 z-last-id',
      'student-01 a-first-id',
      'Student-02 z-last-id',
      'Student-02 a-first-id',
      'student-10 z-last-id',
      'student-10 a-first-id',
    ]);
    // A pass without a first-pass time (an older record) falls back to its last run.
    expect(rows[1]).toBe('student-01,a-first-id,true,1,2026-03-01T00:00:00.000Z,pass,1,second to run');
  });

  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    const csv = gradesCsv([{ student: 'frank', checks: [{ id: 'c', title: 'Say "hi", then\nleave\r\nquietly', points: 2 }], results: { checks: {} } }]);
    expect(csv).toBe(`${HEADER}\r\nfrank,c,false,0,,not run,2,"Say ""hi"", then\nleave\r\nquietly"\r\n`);
    expect(parseCsv(csv)[1]![7]).toBe('Say "hi", then\nleave\r\nquietly');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    const titles = ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', 'a=1', "'quoted"];
    const csv = gradesCsv([{ student: '=evil', checks: titles.map((title, i) => ({ id: `c${i}`, title })), results: { checks: {} } }]);
    const rows = parseCsv(csv).slice(1);
    expect(rows.map((r) => r[0])).toEqual(titles.map(() => "'=evil"));
    expect(rows.map((r) => r[7])).toEqual(["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", 'a=1', "'quoted"]);
  });
});

describe('csvCell', () => {
  it('leaves plain values alone', () => {
    expect(csvCell('student-01')).toBe('student-01');
    expect(csvCell('')).toBe('');
    expect(csvCell('2026-03-01T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
  });

  it('neutralises before quoting, so the quote goes inside', () => {
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell('-"x"')).toBe(`"'-""x"""`);
  });
});

/** A strict RFC 4180 reader, to check the writer's output reads back as the values written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  expect(cell === '' && row.length === 0).toBe(true);
  return rows;
}
