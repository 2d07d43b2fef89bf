import { describe, expect, it } from 'vitest';
import { authenticate, frontProxyTrust } from './kubevirt-vnc';

const trust = frontProxyTrust({
  'requestheader-client-ca-file': '-----BEGIN CERTIFICATE-----\n...',
  'requestheader-allowed-names': '["front-proxy-client"]',
  'requestheader-username-headers': '["X-Remote-User"]',
  'requestheader-group-headers': '["X-Remote-Group"]',
  'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
});
const proxy = { authorized: true, commonName: 'front-proxy-client' };
const headers = {
  'x-remote-user': ['system:serviceaccount:student-07:student'],
  'x-remote-group': ['system:serviceaccounts', 'system:authenticated'],
  'x-remote-extra-authentication.kubernetes.io%2fpod-name': ['p1'],
};

describe('front-proxy authentication', () => {
  it('reads the user, each group header line and percent-decoded extra keys', () => {
    expect(authenticate(proxy, headers, trust)).toEqual({
      name: 'system:serviceaccount:student-07:student',
      groups: ['system:serviceaccounts', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/pod-name': ['p1'] },
    });
  });

  it('refuses callers that are not the front proxy, whatever headers they send', () => {
    expect(authenticate({ authorized: false, commonName: undefined }, headers, trust)).toHaveProperty('refused');
    // Signed by the same CA but not an allowed name: e.g. the admin's own certificate.
    expect(authenticate({ authorized: true, commonName: 'labforge-admin' }, headers, trust)).toHaveProperty('refused');
    // The right name on a certificate the request-header CA did not sign.
    expect(authenticate({ authorized: false, commonName: 'front-proxy-client' }, headers, trust)).toHaveProperty('refused');
    expect(authenticate(proxy, {}, trust)).toEqual({ refused: 'the front proxy sent no user' });
  });

  it('needs the request-header CA to be published', () => {
    expect(() => frontProxyTrust({})).toThrow(/requestheader-client-ca-file/);
  });
});
