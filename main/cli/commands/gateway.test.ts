import { describe, expect, it } from 'vitest';
import { createProgram } from '../program';
import { gatewayCommands, listenArg, reachNotice } from './gateway';

describe('labforge gateway --listen', () => {
  it('listens on loopback unless told otherwise', () => {
    const program = createProgram({ stdout: () => undefined, stderr: () => undefined }, [gatewayCommands]);
    const listen = program.commands.find((c) => c.name() === 'gateway')!.options.find((o) => o.long === '--listen')!;
    expect(listen.defaultValue).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(listenArg(':2222')).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(listenArg('2200')).toEqual({ host: '127.0.0.1', port: 2200 });
    expect(listenArg('0.0.0.0:22')).toEqual({ host: '0.0.0.0', port: 22 });
    expect(listenArg('[::]:22')).toEqual({ host: '::', port: 22 });
  });

  it('says who can reach it, and that the cluster is the local one when it is', () => {
    expect(reachNotice({ host: '127.0.0.1', port: 2222 }, 'https://127.0.0.1:6443')).toMatch(/^listening on 127\.0\.0\.1:2222, this machine only: the cluster is the local one \(https:\/\/127\.0\.0\.1:6443\).*pass --listen 0\.0\.0\.0:2222/);
    expect(reachNotice({ host: '127.0.0.1', port: 2222 }, 'https://[::1]:6443')).toContain('the cluster is the local one');
    expect(reachNotice({ host: '127.0.0.1', port: 2222 }, 'https://k8s.example.edu:6443')).toBe('listening on 127.0.0.1:2222, this machine only; pass --listen 0.0.0.0:2222 to let students on other machines in\n');
    expect(reachNotice({ host: '0.0.0.0', port: 22 }, 'https://k8s.example.edu')).toBe('listening on 0.0.0.0:22: students on other machines can reach this gateway\n');
  });
});
