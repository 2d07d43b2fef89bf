// What the real node's kubelet is told about the containers it starts (the pieces the breakout
// suite, npm run breakout, depends on).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeletConfig, nodeDirs } from './config';

const config = parse(kubeletConfig({ resolvConf: '/r', caCert: '/ca', servingCert: '/c', servingKey: '/k', port: 1, healthzPort: 2, dirs: nodeDirs('/state', '/run') })) as Record<string, unknown>;

describe('kubeletConfig', () => {
  it('gives every container the runtime default seccomp profile (no unshare -U into a user namespace of its own)', () => {
    expect(config['seccompDefault']).toBe(true);
  });

  it('keeps the pids limit, no anonymous access and no read-only port', () => {
    expect(config['podPidsLimit']).toBe(512);
    expect(config['readOnlyPort']).toBe(0);
    expect(config['authentication']).toMatchObject({ anonymous: { enabled: false } });
  });
});
