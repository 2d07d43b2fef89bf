import { describe, expect, it } from 'vitest';
import { numberedStudents, parseRoster, splitCsvLine } from './roster';

describe('parseRoster', () => {
  it('reads id, name, email and ssh key', () => {
    const r = parseRoster('id,name,email,ssh_key\nalice,Alice A,alice@uni.edu,ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHQMh6pNGZMWz/9GqSBkXlUXbSaB3kLyB4QhTXJm2JNG alice@laptop\n"bob","Bob, Jr.",bob@uni.edu,\n');
    expect(r).toEqual({
      ok: true,
      students: [
        { id: 'alice', line: 2, name: 'Alice A', email: 'alice@uni.edu', sshKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHQMh6pNGZMWz/9GqSBkXlUXbSaB3kLyB4QhTXJm2JNG alice@laptop' },
        { id: 'bob', line: 3, name: 'Bob, Jr.', email: 'bob@uni.edu' },
      ],
    });
  });

  it('reports every bad row with its line number', () => {
    const r = parseRoster('id,name,email\nalice,A,alice@uni.edu\n,NoId,x@y.z\nalice,Again,a@b.c\ncarol,C,not-an-email\n"dave,D,d@e.f\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { line: 3, message: 'id is empty' },
      { line: 4, message: 'id "alice" repeats line 2' },
      { line: 5, message: 'email "not-an-email" is not an email address' },
      { line: 6, message: 'unterminated quote' },
    ]);
  });

  it('rejects a roster without header or students, and unknown columns', () => {
    expect(parseRoster('')).toMatchObject({ ok: false, issues: [{ line: 1 }] });
    expect(parseRoster('id,name,email\n')).toMatchObject({ ok: false, issues: [{ line: 2 }] });
    expect(parseRoster('id,nmae\nx,y\n')).toMatchObject({ ok: false, issues: [{ line: 1, message: expect.stringContaining('nmae') }] });
  });

  it('rejects a malformed ssh key', () => {
    const r = parseRoster('id,ssh_key\nalice,not a key\n');
    expect(r).toMatchObject({ ok: false, issues: [{ line: 2, message: expect.stringContaining('ssh_key') }] });
    const weak = parseRoster('id,ssh_key\nalice,-----BEGIN OPENSSH PRIVATE KEY-----\n');
    expect(weak).toMatchObject({ ok: false, issues: [{ line: 2, message: expect.stringContaining('PRIVATE key') }] });
  });
});

describe('helpers', () => {
  it('splits quoted cells', () => {
    expect(splitCsvLine('a,"b ""c""",d')).toEqual(['a', 'b "c"', 'd']);
  });
  it('numbers anonymous students with padding', () => {
    expect(numberedStudents(3).map((s) => s.id)).toEqual(['student-01', 'student-02', 'student-03']);
    expect(numberedStudents(120)[0]!.id).toBe('student-001');
  });
});

describe('parseRoster limits and hostile cells', () => {
  const rows = (n: number) => `id\n${Array.from({ length: n }, (_, i) => `s${i}`).join('\n')}\n`;

  it('takes up to 10,000 students, the same limit as --students', () => {
    const r = parseRoster(rows(10_000));
    expect(r.ok && r.students.length).toBe(10_000);
  });

  it('refuses the 10,001st student at its line', () => {
    const r = parseRoster(rows(10_001));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([{ line: 10_002, message: expect.stringMatching(/at most 10000 students/) }]);
  });

  it('escapes control characters of cells in messages', () => {
    const r = parseRoster('id,email\n"\u001b[2Jx\nfake:1: forged",a\nok,"\u001b]0;title\u0007"\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    for (const issue of r.issues) expect(issue.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('lists at most 100 errors and counts the rest', () => {
    const r = parseRoster(`id\n${'bad id\n'.repeat(500)}`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(101);
    expect(r.issues[100]!.message).toMatch(/400 more errors/);
  });

  it('refuses overlong cells before matching them', () => {
    const started = Date.now();
    const r = parseRoster(`id,email\na,a@${'.'.repeat(50_000)}@\n`);
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
