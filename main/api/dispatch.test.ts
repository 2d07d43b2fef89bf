import { describe, expect, it } from 'vitest';
import type { Lab } from '../../common/lab/schema';
import { ApiFailure, createDispatcher } from './dispatch';

describe('dispatch', () => {
  it('rejects an unknown channel as a value', async () => {
    const dispatch = createDispatcher({});
    const r = await dispatch('lab.nope', {});
    expect(r).toEqual({ ok: false, error: { code: 'unknown_channel', message: expect.stringContaining('lab.nope') } });
  });

  it('does not treat Object.prototype members as channels', async () => {
    const r = await createDispatcher({})('constructor', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('unknown_channel');
  });

  it('rejects an invalid request naming the field, without calling the handler', async () => {
    let called = false;
    const dispatch = createDispatcher({
      'file.write': () => {
        called = true;
        return { path: '/x' };
      },
    });
    const r = await dispatch('file.write', { path: 42, text: 'x' });
    expect(called).toBe(false);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_request');
      // In the user's words: the field, not the channel or other internal names.
      expect(r.error.message).toMatch(/^path: /);
      expect(r.error.message).not.toContain('file.write');
    }
  });

  it('names a field in words, as the form calls it, without the channel', async () => {
    const dispatch = createDispatcher({});
    const r = await dispatch('class.plan', { labName: 'lab', tag: 'v1', className: 'Net 101', students: { count: 3 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/^class name: /);
      expect(r.error.message).not.toMatch(/class\.plan|className/);
    }
  });

  it('names nested fields with their path', async () => {
    const dispatch = createDispatcher({ 'settings.update': async () => ({ theme: 'light', recent: [], kubeContext: null, terminalFontSize: 13 }) });
    const r = await dispatch('settings.update', { patch: { theme: 'purple' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('patch.theme');
  });

  it('turns a thrown error into an internal error value and logs it', async () => {
    const logged: string[] = [];
    const dispatch = createDispatcher(
      { 'lab.parse': () => { throw new Error('boom'); } },
      { logError: (channel) => logged.push(channel) },
    );
    const r = await dispatch('lab.parse', { text: 'x' });
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'lab.parse failed: boom' } });
    expect(logged).toEqual(['lab.parse']);
  });

  it('passes an ApiFailure code through', async () => {
    const dispatch = createDispatcher({ 'file.read': async () => { throw new ApiFailure('forbidden', 'no'); } });
    expect(await dispatch('file.read', { path: 'a.yaml' })).toEqual({ ok: false, error: { code: 'forbidden', message: 'no' } });
  });

  it('rejects a handler response that breaks the contract', async () => {
    // Well typed, yet not what the contract promises: a lab that breaks the lab format.
    const lab: Lab = { apiVersion: 'labforge.dev/v1alpha1', kind: 'Lab', metadata: { name: 'Not A Name' }, nodes: [], networks: [], volumes: [], exposures: [] };
    const dispatch = createDispatcher({ 'lab.parse': () => ({ lab, issues: [] }) });
    const r = await dispatch('lab.parse', { text: '' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('internal');
  });

  it('answers unsupported for channels this host does not serve', async () => {
    const r = await createDispatcher({})('file.openDialog', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('unsupported');
  });

  it('returns the handler value with request defaults applied', async () => {
    const dispatch = createDispatcher({ 'lab.parse': ({ text }) => ({ lab: null, issues: [{ path: [], message: text }] }) });
    expect(await dispatch('lab.parse', { text: 'hello' })).toEqual({ ok: true, value: { lab: null, issues: [{ path: [], message: 'hello' }] } });
  });
});

describe('dispatch streams', () => {
  const lab = { apiVersion: 'labforge.dev/v1alpha1', kind: 'Lab', metadata: { name: 'x' }, nodes: [] };
  const sink = () => {
    const events: unknown[] = [];
    const controller = new AbortController();
    return { events, controller, stream: { signal: controller.signal, emit: (e: unknown) => events.push(e) } };
  };

  it('passes validated events and then the response', async () => {
    const dispatch = createDispatcher({
      'dev.deploy': async (_req, { emit }) => {
        emit({ type: 'phase', phase: 'apply', message: 'applying' });
        emit({ type: 'applied', done: 1, total: 2 });
        return { namespace: 'x-dev', applied: 2, deleted: [], keptVolumes: [], ready: true, statuses: [], problems: [] };
      },
    });
    const { events, stream } = sink();
    const r = await dispatch('dev.deploy', { lab }, stream);
    expect(events).toEqual([
      { type: 'phase', phase: 'apply', message: 'applying' },
      { type: 'applied', done: 1, total: 2 },
    ]);
    expect(r).toMatchObject({ ok: true, value: { namespace: 'x-dev', applied: 2 } });
  });

  it('stops an operation that emits an off-contract event', async () => {
    let sawAbort = false;
    const logged: unknown[] = [];
    const dispatch = createDispatcher(
      {
        'dev.deploy': async (_req, { emit, signal }) => {
          emit(JSON.parse('{"type":"applied","done":"one","total":2}'));
          sawAbort = signal.aborted;
          emit({ type: 'applied', done: 1, total: 2 });
          return { namespace: 'x-dev', applied: 2, deleted: [], keptVolumes: [], ready: true, statuses: [], problems: [] };
        },
      },
      { logError: (_c, e) => logged.push(e) },
    );
    const { events, stream } = sink();
    const r = await dispatch('dev.deploy', { lab }, stream);
    expect(sawAbort).toBe(true);
    expect(events).toEqual([]);
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'dev.deploy produced an invalid event' } });
    expect(String(logged[0])).toMatch(/done/);
  });

  it('reports cancellation as its own error code, and the handler sees the signal', async () => {
    const dispatch = createDispatcher({
      'dev.watch': (_req, { signal }) =>
        new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    });
    const { controller, stream } = sink();
    const pending = dispatch('dev.watch', { labName: 'x' }, stream);
    controller.abort();
    expect(await pending).toEqual({ ok: false, error: { code: 'cancelled', message: 'dev.watch was cancelled' } });
  });

  it('refuses a stream channel invoked as a call, and a call channel subscribed to', async () => {
    let called = 0;
    const dispatch = createDispatcher({
      'dev.watch': async () => {
        called++;
        return {};
      },
      'app.info': () => {
        called++;
        return { version: '1', mode: 'browser' as const, workspace: null };
      },
    });
    expect(await dispatch('dev.watch', { labName: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/subscribe/) } });
    expect(await dispatch('app.info', {}, sink().stream)).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/invoke/) } });
    expect(called).toBe(0);
  });
});
