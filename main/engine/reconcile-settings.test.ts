import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../test/helpers/in-memory-cluster';
import { CONFIG_MAP } from '../kube/kinds';
import type { ClassSchedule } from './class-schedule';
import { readClassSettings, settingsForPublish, settingsName, updateClassSettings } from './reconcile-settings';
import { SYSTEM_NAMESPACE } from './release-record';

const schedule: ClassSchedule = { timezone: 'Europe/Paris', warmSeconds: 900, entries: [{ days: ['Mon', 'Wed'], start: '09:00', end: '11:00' }] };

describe('class settings: schedule', () => {
  it('is kept by a publish without one, replaced by a new one and removed by null', async () => {
    const c = new MemoryCluster();
    expect((await settingsForPublish(c, 'cs1', { schedule })).settings.schedule).toEqual(schedule);
    expect((await settingsForPublish(c, 'cs1', { domain: 'labs.example.edu' })).settings.schedule).toEqual(schedule);
    const other = { ...schedule, warmSeconds: 0, entries: [{ date: '2026-12-14', start: '14:00', end: '16:00' }] };
    expect((await settingsForPublish(c, 'cs1', { schedule: other })).settings.schedule).toEqual(other);
    expect((await readClassSettings(c, 'cs1'))?.schedule).toEqual(other);
    const cleared = await settingsForPublish(c, 'cs1', { schedule: null });
    expect(cleared.settings).not.toHaveProperty('schedule');
    expect(cleared.settings.domain).toBe('labs.example.edu');
    expect((await readClassSettings(c, 'cs1'))?.schedule).toBeUndefined();
  });

  it('refuses to store, and reports on read, a schedule that is not valid', async () => {
    const c = new MemoryCluster();
    const overlapping = { ...schedule, entries: [...schedule.entries, { days: ['Wed' as const], start: '10:00', end: '12:00' }] };
    await expect(updateClassSettings(c, 'cs1', (s) => ({ ...s, schedule: overlapping }))).rejects.toThrow(/overlap/);
    await updateClassSettings(c, 'cs1', (s) => s);
    expect(await c.read(CONFIG_MAP, settingsName('cs1'), SYSTEM_NAMESPACE)).toBeDefined();
    const data = { 'settings.json': JSON.stringify({ schedule: { ...schedule, timezone: 'Mars/Olympus' } }) };
    await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: settingsName('cs1'), namespace: SYSTEM_NAMESPACE }, data });
    await expect(readClassSettings(c, 'cs1')).rejects.toThrow(/schedule\.timezone: not an IANA time zone; fix or delete the ConfigMap/);
  });
});
