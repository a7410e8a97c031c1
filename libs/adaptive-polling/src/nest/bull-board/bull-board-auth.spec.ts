import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../core/auth-failure-limiter';
import { TokenMatcher } from '../token-matcher';
import { BullBoardAuthGate, presentedSecret } from './bull-board-auth';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function fakeResponse() {
  const headers = new Map<string, string>();
  const response = {
    statusCode: 200,
    body: '',
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    end: (text?: string) => {
      response.body = text ?? '';
    },
  };
  return { response, headers };
}

function run(gate: BullBoardAuthGate, authorization?: string) {
  const { response, headers } = fakeResponse();
  let passed = false;
  gate.middleware({ headers: authorization ? { authorization } : {} } as IncomingMessage, response as unknown as ServerResponse, () => {
    passed = true;
  });
  return { passed, status: response.statusCode, headers };
}

describe('presentedSecret', () => {
  it('takes the password of HTTP Basic, whatever the user name, or a bearer token', () => {
    expect(presentedSecret(basic('anyone', 's3cret:with:colons'))).toBe('s3cret:with:colons');
    expect(presentedSecret(basic('', 's3cret'))).toBe('s3cret');
    expect(presentedSecret('Bearer s3cret')).toBe('s3cret');
    expect(presentedSecret(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(presentedSecret(undefined)).toBeNull();
    expect(presentedSecret('Digest abc')).toBeNull();
  });
});

describe('BullBoardAuthGate', () => {
  const matcher = new TokenMatcher('board-token-0123456789');
  const gate = new BullBoardAuthGate();
  gate.configure({ kind: 'secret', matches: (c) => matcher.matches(c), failures: new AuthFailureLimiter() });

  it('lets the right password through and refuses others with a Basic challenge', () => {
    expect(run(gate, basic('ops', 'board-token-0123456789')).passed).toBe(true);
    for (const authorization of [undefined, basic('ops', 'wrong'), basic('ops', 'board-token-0123456789-and-more'), 'Bearer nope']) {
      const result = run(gate, authorization);
      expect(result.passed).toBe(false);
      expect(result.status).toBe(401);
      expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    }
  });

  it('answers 503 before it is configured, and lets everyone in when open on purpose', () => {
    expect(run(new BullBoardAuthGate(), basic('ops', 'board-token-0123456789')).status).toBe(503);
    const open = new BullBoardAuthGate();
    open.configure({ kind: 'open' });
    expect(run(open).passed).toBe(true);
  });
});
