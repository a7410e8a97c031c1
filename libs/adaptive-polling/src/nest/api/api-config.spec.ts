import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Injectable, type CanActivate } from '@nestjs/common';
import { ApiConfigError, resolveApiConfig } from './api-config';

@Injectable()
class HostGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

function refusal(run: () => unknown): ApiConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiConfigError);
    return error as ApiConfigError;
  }
  throw new Error('expected an ApiConfigError');
}

describe('resolveApiConfig', () => {
  it('refuses to start without a token, a guard or auth: false, naming every way out', () => {
    const error = refusal(() => resolveApiConfig(undefined, {}));
    for (const option of ['api.token', 'ADAPTIVE_POLLING_API_TOKEN', 'api.guard', 'auth: false']) {
      expect(error.message).toContain(option);
    }
    expect(() => resolveApiConfig({}, { ADAPTIVE_POLLING_API_TOKEN: '  ' })).toThrow(ApiConfigError);
  });

  it('uses api.token, else the env token, and checks it in constant time', () => {
    const fromCode = resolveApiConfig({ token: 'code-token-0123456789' }, { ADAPTIVE_POLLING_API_TOKEN: 'env-token-0123456789' });
    expect(fromCode.auth.mode).toBe('token');
    expect(fromCode.auth.tokenSource).toBe('api.token');
    expect(fromCode.auth.matchesToken('code-token-0123456789')).toBe(true);
    expect(fromCode.auth.matchesToken('env-token-0123456789')).toBe(false);
    expect(fromCode.auth.matchesToken('code-token-0123456789-longer')).toBe(false);
    expect(fromCode.auth.matchesToken('')).toBe(false);

    const fromEnv = resolveApiConfig({}, { ADAPTIVE_POLLING_API_TOKEN: ' env-token-0123456789\n' });
    expect(fromEnv.auth.tokenSource).toBe('ADAPTIVE_POLLING_API_TOKEN');
    expect(fromEnv.auth.matchesToken('env-token-0123456789')).toBe(true);
  });

  it('refuses a token shorter than 16 characters, naming where it came from and not echoing it', () => {
    const fromCode = refusal(() => resolveApiConfig({ token: 'x' }, {}));
    expect(fromCode.problems).toEqual([{ field: 'api.token', message: expect.stringContaining('at least 16') }]);
    const fromEnv = refusal(() => resolveApiConfig({}, { ADAPTIVE_POLLING_API_TOKEN: 'fifteen-chars15' }));
    expect(fromEnv.problems).toEqual([{ field: 'ADAPTIVE_POLLING_API_TOKEN', message: expect.stringContaining('15 characters') }]);
    expect(fromEnv.message).not.toContain('fifteen-chars15');
    expect(resolveApiConfig({ token: 'sixteen-chars-16' }, {}).auth.mode).toBe('token');
  });

  it('never reveals the token when the settings are logged or serialised', () => {
    const { auth } = resolveApiConfig({ token: 'super-secret-token-value' }, {});
    expect(JSON.stringify(auth)).not.toContain('super-secret');
    expect(inspect(auth, { depth: 5, showHidden: true })).not.toContain('super-secret');
    expect(auth.describe()).toBe('bearer token (from api.token)');
  });

  it('uses a host guard instead of the token, and auth: false only on purpose', () => {
    const guarded = resolveApiConfig({ guard: HostGuard }, { ADAPTIVE_POLLING_API_TOKEN: 'env-token-0123456789' });
    expect(guarded.auth.mode).toBe('guard');
    expect(guarded.auth.guard).toBe(HostGuard);
    expect(guarded.auth.matchesToken('env-token-0123456789')).toBe(false);
    expect(resolveApiConfig({ auth: false }, { ADAPTIVE_POLLING_API_TOKEN: 'env-token-0123456789' }).auth.mode).toBe('none');
  });

  it('lists every bad value at once, without echoing a token', () => {
    const error = refusal(() =>
      resolveApiConfig(
        {
          token: 'has a space-secret',
          auth: false,
          guard: new HostGuard() as never,
          healthCacheMs: -1,
          answerTimeoutMs: 0,
          healthIndicator: { maxDeadLetters: 1.5, timeoutMs: 0 },
        },
        {},
      ),
    );
    expect(error.problems.map((p) => p.field)).toEqual([
      'api.token',
      'api.guard',
      'api.auth',
      'api.healthCacheMs',
      'api.answerTimeoutMs',
      'api.healthIndicator.maxDeadLetters',
      'api.healthIndicator.timeoutMs',
    ]);
    expect(error.message).not.toContain('space-secret');
  });

  it('fills defaults for the cache and the health indicator', () => {
    const config = resolveApiConfig({ auth: false }, {});
    expect(config.healthCacheMs).toBe(1000);
    expect(config.answerTimeoutMs).toBe(2000);
    expect(config.healthIndicator).toEqual({ maxDeadLetters: 10, timeoutMs: 2000 });
  });
});
