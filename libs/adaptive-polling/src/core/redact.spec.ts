import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it.each<[string, string, string]>([
    ['URL user and password', 'GET https://root:s3cret@pve1:8006/api2/json', 'GET https://***@pve1:8006/api2/json'],
    ['URL user only (may be a token)', 'clone https://ghp_abcdef@github.com/x', 'clone https://***@github.com/x'],
    ['password containing @', 'redis://:p@ss@10.0.0.1:6379/0', 'redis://***@10.0.0.1:6379/0'],
    ['postgres URL', 'connect postgres://app:pw@db:5432/test failed', 'connect postgres://***@db:5432/test failed'],
    ['token query value', 'https://h/api?token=abc123&page=2', 'https://h/api?token=***&page=2'],
    ['password query value', 'https://h/login?user=bob&password=hunter2', 'https://h/login?user=bob&password=***'],
    ['access_token and api_key', 'x?access_token=aaa;api_key=bbb', 'x?access_token=***;api_key=***'],
    ['upper-case key', 'PASSWORD=hunter2 rejected', 'PASSWORD=*** rejected'],
    ['Proxmox API token', 'PVEAPIToken=root@pam!monitor=3f2a-11ee-9b1c', 'PVEAPIToken=***'],
    ['JSON member', '{"user":"bob","password":"hun\\"ter2","n":1}', '{"user":"bob","password":"***","n":1}'],
    ['JSON token member with spaces', '{ "apiToken" : "xyz" }', '{ "apiToken" : "***" }'],
    ['bearer token', 'rejected Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'rejected Bearer ***'],
    ['Authorization header', 'headers: Authorization: Basic dXNlcjpwYXNz\nnext line', 'headers: Authorization: ***\nnext line'],
    ['Authorization in JSON', '{"authorization":"Bearer abcdefghijk"}', '{"authorization":"***"}'],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    'connect ECONNREFUSED 10.0.0.1:8006',
    'see https://pve1:8006/api2/json/nodes?page=2',
    'mail admin@example.com',
    'https://h/path@v2',
    'Bearer token missing',
    'token expired',
    '',
  ])('leaves %j alone', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('is idempotent', () => {
    const pieces = fc.constantFrom(
      'https://u:p@h/',
      '?token=abc',
      'password=x ',
      'Bearer abcdefghij ',
      '"secret":"v"',
      'Authorization: x\n',
      ' plain ',
      '@',
      '=',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 8 }), (parts) => {
        const once = redactSecrets(parts.join(''));
        expect(redactSecrets(once)).toBe(once);
      }),
    );
  });

  it('never lets a generated password through a URL', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._~!$'()*+,;=-]{1,20}$/), (password) => {
        const text = `GET https://user:${password}@pve1.lan:8006/api2/json failed`;
        expect(redactSecrets(text)).toBe('GET https://***@pve1.lan:8006/api2/json failed');
      }),
    );
  });
});
