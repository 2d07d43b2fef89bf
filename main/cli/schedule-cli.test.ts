import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineCommands } from './commands/engine';
import { scheduleCommands } from './commands/schedule';
import { runCli } from './program';
import { readScheduleArg } from './schedule-input';

// Only what fails before a cluster is reached: the kubeconfig named here does not exist.
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--kubeconfig', '/nonexistent/kubeconfig'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [engineCommands, scheduleCommands]);
  return { code, stdout, stderr };
}

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'lf-schedule-')), 'schedule.yaml');
  writeFileSync(path, text);
  return path;
};

describe('labforge schedule', () => {
  it('refuses a wrong schedule text as a usage error (exit 2), naming the part', async () => {
    const r = await cli('schedule', '--class', 'cs1', '--set', 'Mun 09:00-11:00');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set: "Mun 09:00-11:00": unknown day "Mun"; use Mon..Sun');
  });

  it('refuses a wrong schedule file as invalid input (exit 1), at its line', async () => {
    const r = await cli('schedule', '--class', 'cs1', '--set', file("sessions:\n  - {days: [Mon], start: '09:00', end: '25:00'}\n"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schedule\.yaml:2:40: sessions\[0\]\.end: 25:00 is not a time of day/);
  });

  it('takes --timezone and --warm only with a schedule, and checks them', async () => {
    expect((await cli('schedule', '--class', 'cs1', '--warm', '10m')).code).toBe(2);
    expect((await cli('schedule', '--class', 'cs1', '--set', 'Mon 09:00-10:00', '--timezone', 'Europe/Pari')).stderr).toMatch(/--timezone must be an IANA time zone/);
    expect((await cli('schedule', '--class', 'cs1', '--set', 'Mon 09:00-10:00', '--clear')).code).toBe(2);
    expect((await cli('publish', 'lab@v1', '--class', 'cs1', '--students', '2', '--timezone', 'UTC')).stderr).toMatch(/--timezone and --warm go with --schedule/);
  });

  it('checks publish --schedule before connecting', async () => {
    const r = await cli('publish', 'lab@v1', '--class', 'cs1', '--students', '2', '--schedule', 'Mon 09:00-11:00; Mon 10:00-12:00');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--schedule: "Mon 10:00-12:00": "Mon 09:00-11:00" and "Mon 10:00-12:00" overlap on Mon');
  });
});

describe('readScheduleArg', () => {
  it('reads text with the flags, or a file whose values the flags override', async () => {
    expect(await readScheduleArg('Mon 09:00-10:00', { timezone: 'Asia/Tokyo' })).toEqual({ timezone: 'Asia/Tokyo', warmSeconds: 900, entries: [{ days: ['Mon'], start: '09:00', end: '10:00' }] });
    const path = file("timezone: Europe/Paris\nwarm: 5m\nsessions:\n  - {date: 2026-12-14, start: '09:00', end: '10:00'}\n");
    expect(await readScheduleArg(path, {})).toMatchObject({ timezone: 'Europe/Paris', warmSeconds: 300 });
    expect(await readScheduleArg(path, { timezone: 'UTC', warm: 0 })).toMatchObject({ timezone: 'UTC', warmSeconds: 0 });
  });
});
