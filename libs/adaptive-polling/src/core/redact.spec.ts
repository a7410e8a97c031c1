import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeError, isSecretKey, redactSecrets, redactValue } from './redact';

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

describe('secret forms of Proxmox and HTTP clients', () => {
  it.each<[string, string, string]>([
    [
      'ticket query value',
      'GET https://pve1:8006/api2/json/nodes?ticket=PVE:root@pam:65A1::sig&x=1',
      'GET https://pve1:8006/api2/json/nodes?ticket=***&x=1',
    ],
    ['pass form value', 'username=root@pam&pass=hunter2', 'username=root@pam&pass=***'],
    ['PVEAuthCookie in a Cookie header', 'Cookie: PVEAuthCookie=PVE:root@pam:65A1::abc', 'Cookie: ***'],
    ['CSRFPreventionToken header line', 'CSRFPreventionToken: 65A1F00D:Yp3bq', 'CSRFPreventionToken: ***'],
    ['Authorization with PVEAPIToken', 'Authorization: PVEAPIToken=root@pam!mon=3f2a-11ee', 'Authorization: ***'],
    ['inspected object members', "{ host: 'pve1', pass: 'hunter2', ticket: 'PVE:x' }", "{ host: 'pve1', pass: '***', ticket: '***' }"],
    ['JSON ticket member', '{"ticket":"PVE:root@pam:1","username":"root"}', '{"ticket":"***","username":"root"}'],
    ['apikey header line', 'X-ApiKey: abcdef', 'X-ApiKey: ***'],
    [
      'an error message embedding a URL',
      'request to https://root:pw@pve1:8006/api2/json?ticket=abc failed: ECONNRESET',
      'request to https://***@pve1:8006/api2/json?ticket=*** failed: ECONNRESET',
    ],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    ['token', true],
    ['apiToken', true],
    ['API_KEY', true],
    ['x-api-key', true],
    ['ticket', true],
    ['pass', true],
    ['password', true],
    ['passwd', true],
    ['PVEAuthCookie', true],
    ['CSRFPreventionToken', true],
    ['Authorization', true],
    ['clientSecret', true],
    ['host', false],
    ['port', false],
    ['username', false],
    ['verifyTls', false],
  ])('isSecretKey(%j) is %s', (name, secret) => {
    expect(isSecretKey(name)).toBe(secret);
  });

  it('redactValue masks secret members at any depth and redacts every string', () => {
    const connection = {
      host: 'pve1',
      url: 'https://root:pw@pve1:8006/?ticket=t1',
      ticket: 'PVE:root@pam:1',
      pass: 'hunter2',
      nested: { headers: { Authorization: 'PVEAPIToken=root@pam!m=uuid', Accept: 'application/json' }, port: 8006 },
      list: [{ CSRFPreventionToken: 'c1' }, 'Bearer abcdefghijkl'],
      error: new Error('login with password=hunter3 failed'),
    };
    expect(redactValue(connection)).toEqual({
      host: 'pve1',
      url: 'https://***@pve1:8006/?ticket=***',
      ticket: '***',
      pass: '***',
      nested: { headers: { Authorization: '***', Accept: 'application/json' }, port: 8006 },
      list: [{ CSRFPreventionToken: '***' }, 'Bearer ***'],
      error: 'login with password=*** failed',
    });
    // The input is not changed.
    expect(connection.pass).toBe('hunter2');
  });

  it('describeError gives a redacted message for errors, strings and objects', () => {
    expect(describeError(new Error('GET https://h/?ticket=abc failed'))).toBe('GET https://h/?ticket=*** failed');
    expect(describeError('token=abc')).toBe('token=***');
    expect(describeError({ status: 401, headers: { cookie: 'PVEAuthCookie=x' } })).toBe('{"status":401,"headers":{"cookie":"***"}}');
  });
});
