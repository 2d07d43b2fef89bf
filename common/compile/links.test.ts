import { describe, expect, it } from 'vitest';
import { exposureHost, exposureLinks, keyedHash, randomExposureLabel } from './links';
import { isDnsLabel } from './names';

const KEY = 'a'.repeat(64);

describe('web links', () => {
  it('readable: <node>-<port>.<namespace>.<domain>, every label within 63', () => {
    expect(exposureHost('web', 80, 'c-s1-1234abcd', 'labs.example.edu')).toBe('web-80.c-s1-1234abcd.labs.example.edu');
    const long = exposureHost('n'.repeat(63), 8080, 'ns', 'd.io');
    for (const label of long.split('.')) expect(isDnsLabel(label), label).toBe(true);
  });

  it('random: the same for the same key and exposure, different across keys, students, nodes and ports', () => {
    const a = randomExposureLabel(KEY, 'ns1', 'web', 80);
    expect(randomExposureLabel(KEY, 'ns1', 'web', 80)).toBe(a);
    expect(a).toMatch(/^l[0-9a-f]{23}$/);
    const others = [randomExposureLabel('b'.repeat(64), 'ns1', 'web', 80), randomExposureLabel(KEY, 'ns2', 'web', 80), randomExposureLabel(KEY, 'ns1', 'db', 80), randomExposureLabel(KEY, 'ns1', 'web', 8080)];
    expect(new Set([a, ...others]).size).toBe(5);
    expect(exposureHost('web', 80, 'ns1', 'labs.localhost', KEY)).toBe(`${a}.labs.localhost`);
  });

  it('the keyed hash depends on the key, not only on the message', () => {
    expect(keyedHash('k1', 'm')).not.toBe(keyedHash('k2', 'm'));
    expect(keyedHash('k1', 'm')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('links carry the exposure path', () => {
    expect(exposureLinks({ exposures: [{ node: 'web', port: 80, path: '/app' }] } as never, 'ns', 'd.io')).toEqual([{ node: 'web', port: 80, host: 'web-80.ns.d.io', url: 'http://web-80.ns.d.io/app' }]);
  });
});
