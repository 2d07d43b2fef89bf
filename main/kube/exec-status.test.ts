import { describe, expect, it } from 'vitest';
import { readExecStatus } from './exec-status';

describe('readExecStatus', () => {
  it('is ok only for an explicit Success', () => {
    expect(readExecStatus({ metadata: {}, status: 'Success' })).toEqual({ ok: true });
    expect(readExecStatus({})).toMatchObject({ ok: false, exitCode: null });
    expect(readExecStatus(null)).toMatchObject({ ok: false, exitCode: null });
    expect(readExecStatus({ status: 'success' })).toMatchObject({ ok: false });
  });

  it("reads the exit code the kubelet reports for a non-zero exit", () => {
    const status = { status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: exit status 3', details: { causes: [{ type: 'ExitCode', message: '3' }] } };
    expect(readExecStatus(status)).toEqual({ ok: false, exitCode: 3, message: 'command terminated with non-zero exit code: exit status 3' });
  });

  it('has no exit code for other failures (an internal error, a malformed cause)', () => {
    expect(readExecStatus({ status: 'Failure', reason: 'InternalError', message: 'error executing command in container: exit status 1' })).toEqual({ ok: false, exitCode: null, message: 'error executing command in container: exit status 1' });
    expect(readExecStatus({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ type: 'ExitCode', message: '-1; rm' }] } })).toMatchObject({ ok: false, exitCode: null });
  });
});
