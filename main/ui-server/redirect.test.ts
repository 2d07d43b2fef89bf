import { describe, expect, it } from 'vitest';
import { redirectAfterToken, sameOriginPath } from './redirect';

const ORIGIN = 'http://127.0.0.1:4000';

describe('the redirect after the one-time token', () => {
  it('keeps plain paths and drops the token from the query', () => {
    expect(sameOriginPath('/')).toBe('/');
    expect(sameOriginPath('/class/a-1')).toBe('/class/a-1');
    expect(redirectAfterToken(ORIGIN, '/?token=abc', 'k=1')).toBe(`${ORIGIN}/#k=1`);
    expect(redirectAfterToken(ORIGIN, '/lab?x=1&token=abc', 'k=1')).toBe(`${ORIGIN}/lab?x=1#k=1`);
  });

  it('never yields a path a browser reads as another host', () => {
    const attacks = [
      '/.//evil.example/x',
      '//evil.example/x',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      '/./\\evil.example',
      '/%2F%2Fevil.example',
      '/%5C%5Cevil.example',
      '/%2e%2e/%2e%2e/x',
      '/..//evil.example',
      '/x/../../..//evil.example',
      'http://evil.example/',
      'evil.example',
      '/\tevil',
      '/%00',
      '/@evil.example',
    ];
    for (const target of attacks) {
      const path = sameOriginPath(target);
      expect(path, target).toMatch(/^\/(?![/\\])/);
      expect(path, target).not.toMatch(/[\\]|%2f|%5c/i);
      const location = redirectAfterToken(ORIGIN, `${target}?token=t`, 'k=1');
      expect(new URL(location).origin, target).toBe(ORIGIN);
      expect(new URL(location, ORIGIN).origin, target).toBe(ORIGIN);
    }
  });

  it('resolves dot segments and collapses slashes', () => {
    expect(sameOriginPath('/a/./b/../c')).toBe('/a/c');
    expect(sameOriginPath('/a//b')).toBe('/a/b');
    expect(sameOriginPath('/../../')).toBe('/');
    expect(sameOriginPath('/.//evil.example/x')).toBe('/evil.example/x');
  });

  it('falls back to / for anything outside a plain path', () => {
    expect(sameOriginPath('evil.example')).toBe('/');
    expect(sameOriginPath('/a b')).toBe('/');
    expect(sameOriginPath('/%2F%2Fevil.example')).toBe('/');
  });
});
