import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { crossSite } from './console-http';
import { cookieValue, csrfMatches, sessionCookie } from './console-session';

describe('console session helpers', () => {
  it('reads one cookie out of the header', () => {
    expect(cookieValue('a=1; ap_console=abc; b=2', 'ap_console')).toBe('abc');
    expect(cookieValue('xap_console=abc', 'ap_console')).toBeNull();
    expect(cookieValue(undefined, 'ap_console')).toBeNull();
  });

  it('sets an HttpOnly, SameSite=Strict cookie on the console path, Secure over HTTPS', () => {
    expect(sessionCookie('id', '/admin/polling', 3_600_000, false)).toBe(
      'ap_console=id; Path=/admin/polling; Max-Age=3600; HttpOnly; SameSite=Strict',
    );
    expect(sessionCookie('id', '/', 1_000, true)).toMatch(/; Secure$/);
  });

  it('matches the CSRF token exactly', () => {
    const session = { csrf: 'token-1', actor: 'operator:console', createdAt: 0 };
    expect(csrfMatches(session, 'token-1')).toBe(true);
    expect(csrfMatches(session, 'token-2')).toBe(false);
    expect(csrfMatches(session, 'token-1x')).toBe(false);
    expect(csrfMatches(session, undefined)).toBe(false);
  });

  it('tells a request from another site by its Origin, or its Referer without one', () => {
    const request = (headers: Record<string, string>) =>
      ({ headers: { host: 'ops.example:3000', ...headers } }) as unknown as IncomingMessage;
    expect(crossSite(request({ origin: 'http://ops.example:3000' }))).toBe(false);
    expect(crossSite(request({ origin: 'http://evil.example' }))).toBe(true);
    expect(crossSite(request({ origin: 'null' }))).toBe(true);
    expect(crossSite(request({ referer: 'http://evil.example/page' }))).toBe(true);
    expect(crossSite(request({}))).toBe(false);
  });
});
