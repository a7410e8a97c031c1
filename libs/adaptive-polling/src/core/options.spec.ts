import { describe, expect, it } from 'vitest';
import { PollingOptionsError } from './errors';
import {
  DEFAULT_POLLING_OPTIONS,
  defaultPollingOptions,
  optionsForType,
  parseSystemJsonText,
  resolvePollingOptions,
  typeEnvVariable,
  type PollingOptionSources,
} from './options';
import type { OptionProblem } from './types';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** Resolves, expects a PollingOptionsError, checks its message lists each problem, returns the problems. */
function problemsOf(sources: PollingOptionSources): OptionProblem[] {
  let thrown: unknown;
  try {
    resolvePollingOptions(sources);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PollingOptionsError);
  const error = thrown as PollingOptionsError;
  const lines = error.message.split('\n');
  expect(lines[0]).toMatch(/^Invalid adaptive polling options \(\d+ problems?\):$/);
  expect(lines.slice(1)).toEqual(error.problems.map((p) => `  - ${p.field}: ${p.message}`));
  return error.problems;
}

/** Expected problems as [field, message pattern]; order as reported. */
type ExpectedProblem = [string, RegExp];

function expectProblems(sources: PollingOptionSources, expected: ExpectedProblem[]): void {
  const problems = problemsOf(sources);
  expect(problems.map((p) => p.field)).toEqual(expected.map(([field]) => field));
  problems.forEach((p, i) => expect(p.message).toMatch(expected[i][1]));
}

describe('defaults', () => {
  it('match the documented defaults (adaptive polling on, change-aware, 10 s / 5 s / 5 min)', () => {
    const expected = {
      enabled: true,
      policy: 'change-aware',
      intervals: { baseMs: 10 * SECOND, minMs: 5 * SECOND, maxMs: 5 * MINUTE },
      intervalJitter: 0.05,
      pollTimeoutMs: 120 * SECOND,
      backoff: {
        initialMs: 5 * SECOND,
        multiplier: 2,
        jitter: 0.2,
        maxMs: 5 * MINUTE,
        shortModeMaxIntervalMs: 15 * SECOND,
        shortInitialMs: 750,
        shortMaxMs: 6 * SECOND,
      },
      breaker: { failureThreshold: 3 },
      deadLetter: { maxTransientFailures: 5, retryDelayMs: 30 * MINUTE },
    };
    expect(defaultPollingOptions()).toEqual(expected);
    expect(DEFAULT_POLLING_OPTIONS).toEqual(expected);
    expect(resolvePollingOptions({})).toEqual({ ...expected, perType: {}, perEnvType: {} });
  });

  it('are fresh on every call and frozen when shared', () => {
    const first = defaultPollingOptions();
    first.intervals.minMs = 1;
    expect(defaultPollingOptions().intervals.minMs).toBe(5 * SECOND);
    expect(Object.isFrozen(DEFAULT_POLLING_OPTIONS.intervals)).toBe(true);
    expect(resolvePollingOptions({}).intervals).not.toBe(resolvePollingOptions({}).intervals);
  });
});

describe('precedence: default < code < system.json < env', () => {
  it.each<[string, PollingOptionSources, number]>([
    ['default', {}, 5 * SECOND],
    ['code', { code: { minInterval: '7s' } }, 7 * SECOND],
    ['code as a number of ms', { code: { minInterval: 7_500 } }, 7_500],
    ['system.json over code', { code: { minInterval: '7s' }, systemJson: { adaptivePollingMinInterval: 8 } }, 8 * SECOND],
    [
      'env over system.json and code',
      { code: { minInterval: '7s' }, systemJson: { adaptivePollingMinInterval: 8 }, env: { ADAPTIVE_POLLING_MIN_INTERVAL: '9s' } },
      9 * SECOND,
    ],
    ['env over code', { code: { minInterval: '7s' }, env: { ADAPTIVE_POLLING_MIN_INTERVAL: '6s' } }, 6 * SECOND],
    ['empty env is unset', { code: { minInterval: '7s' }, env: { ADAPTIVE_POLLING_MIN_INTERVAL: ' ' } }, 7 * SECOND],
    ['system.json null is unset', { code: { minInterval: '7s' }, systemJson: { adaptivePollingMinInterval: null } }, 7 * SECOND],
  ])('min interval from %s', (_name, sources, expectedMs) => {
    expect(resolvePollingOptions(sources).intervals.minMs).toBe(expectedMs);
  });

  it.each<[string, PollingOptionSources, Partial<Record<'baseMs' | 'minMs' | 'maxMs', number>>]>([
    ['base from system.json', { systemJson: { adaptivePollingBaseInterval: 20 } }, { baseMs: 20 * SECOND }],
    ['max from system.json', { systemJson: { adaptivePollingMaxInterval: 600 } }, { maxMs: 10 * MINUTE }],
    ['base from env', { env: { ADAPTIVE_POLLING_BASE_INTERVAL: '30s' } }, { baseMs: 30 * SECOND }],
    ['max from env', { env: { ADAPTIVE_POLLING_MAX_INTERVAL: '1h30m' } }, { maxMs: 90 * MINUTE }],
    [
      'each field from its own source',
      { code: { baseInterval: '1m' }, systemJson: { adaptivePollingMinInterval: 30 }, env: { ADAPTIVE_POLLING_MAX_INTERVAL: '2m' } },
      { baseMs: MINUTE, minMs: 30 * SECOND, maxMs: 2 * MINUTE },
    ],
  ])('%s', (_name, sources, expected) => {
    expect(resolvePollingOptions(sources).intervals).toMatchObject(expected);
  });

  it.each<[string, PollingOptionSources, boolean]>([
    ['default', {}, true],
    ['code', { code: { enabled: false } }, false],
    ['system.json over code', { code: { enabled: false }, systemJson: { adaptivePollingEnabled: true } }, true],
    ['env over system.json', { systemJson: { adaptivePollingEnabled: true }, env: { ADAPTIVE_POLLING_ENABLED: 'false' } }, false],
  ])('enabled from %s', (_name, sources, expected) => {
    expect(resolvePollingOptions(sources).enabled).toBe(expected);
  });

  it.each<[string, PollingOptionSources, string]>([
    ['default', {}, 'change-aware'],
    ['code', { code: { policy: 'pulse' } }, 'pulse'],
    ['env over code (trimmed)', { code: { policy: 'pulse' }, env: { ADAPTIVE_POLLING_POLICY: ' fixed ' } }, 'fixed'],
  ])('policy from %s', (_name, sources, expected) => {
    expect(resolvePollingOptions(sources).policy).toBe(expected);
  });

  it('poll timeout from code, then env', () => {
    expect(resolvePollingOptions({ code: { pollTimeout: '30s' } }).pollTimeoutMs).toBe(30 * SECOND);
    expect(resolvePollingOptions({ code: { pollTimeout: '30s' }, env: { ADAPTIVE_POLLING_POLL_TIMEOUT: '45s' } }).pollTimeoutMs).toBe(
      45 * SECOND,
    );
  });

  it('backoff, breaker and dead-letter settings from code keep the short-mode defaults', () => {
    const resolved = resolvePollingOptions({
      code: {
        intervalJitter: 0,
        backoff: { initial: '1s', multiplier: 3, jitter: 0, max: '1m' },
        breaker: { failureThreshold: 5 },
        deadLetter: { maxTransientFailures: 2, retryDelay: '10m' },
      },
    });
    expect(resolved.intervalJitter).toBe(0);
    expect(resolved.backoff).toEqual({
      ...defaultPollingOptions().backoff,
      initialMs: SECOND,
      multiplier: 3,
      jitter: 0,
      maxMs: MINUTE,
    });
    expect(resolved.breaker).toEqual({ failureThreshold: 5 });
    expect(resolved.deadLetter).toEqual({ maxTransientFailures: 2, retryDelayMs: 10 * MINUTE });
  });
});

describe('per-type options', () => {
  it('inherit every field they do not set from the resolved global values', () => {
    const resolved = resolvePollingOptions({
      code: { minInterval: '7s', policy: 'pulse', types: { pve: { maxInterval: '1m' } } },
      env: { ADAPTIVE_POLLING_BASE_INTERVAL: '20s' },
    });
    expect(resolved.perType.pve.intervals).toEqual({ baseMs: 20 * SECOND, minMs: 7 * SECOND, maxMs: MINUTE });
    expect(resolved.perType.pve.policy).toBe('pulse');
    expect(resolved.intervals.maxMs).toBe(5 * MINUTE);
  });

  it.each<[string, PollingOptionSources, Partial<Record<'baseMs' | 'minMs' | 'maxMs', number>>]>([
    ['type code over global code', { code: { minInterval: '7s', types: { pve: { minInterval: '6s' } } } }, { minMs: 6 * SECOND }],
    [
      'type code over global env (more specific wins)',
      { code: { types: { pve: { minInterval: '6s' } } }, env: { ADAPTIVE_POLLING_MIN_INTERVAL: '8s' } },
      { minMs: 6 * SECOND },
    ],
    [
      'type env over type code',
      { code: { types: { pve: { minInterval: '6s' } } }, env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: '9s' } },
      { minMs: 9 * SECOND },
    ],
    [
      'type env for a known type without code overrides',
      { knownTypes: ['pve'], env: { ADAPTIVE_POLLING_PVE_BASE_INTERVAL: '1m' } },
      { baseMs: MINUTE },
    ],
    ['type env max', { knownTypes: ['pve'], env: { ADAPTIVE_POLLING_PVE_MAX_INTERVAL: '1m' } }, { maxMs: MINUTE }],
  ])('%s', (_name, sources, expected) => {
    expect(resolvePollingOptions(sources).perType.pve.intervals).toMatchObject(expected);
  });

  it('leaves other types and the global options untouched by a type env variable', () => {
    const resolved = resolvePollingOptions({
      knownTypes: ['pve', 'pbs'],
      env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: '9s' },
    });
    expect(resolved.perType.pve.intervals.minMs).toBe(9 * SECOND);
    expect(resolved.perType.pbs.intervals.minMs).toBe(5 * SECOND);
    expect(resolved.intervals.minMs).toBe(5 * SECOND);
  });

  it('keeps a type env variable for a type nobody named yet, for when it first appears', () => {
    const resolved = resolvePollingOptions({
      env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: '9s', ADAPTIVE_POLLING_MY_PVE_MAX_INTERVAL: '2m' },
    });
    expect(resolved.perType).toEqual({});
    expect(optionsForType(resolved, 'pve').intervals.minMs).toBe(9 * SECOND);
    expect(optionsForType(resolved, 'PVE').intervals.minMs).toBe(9 * SECOND);
    expect(optionsForType(resolved, 'my-pve').intervals).toEqual({ baseMs: 10 * SECOND, minMs: 5 * SECOND, maxMs: 2 * MINUTE });
    expect(optionsForType(resolved, 'pbs').intervals.minMs).toBe(5 * SECOND);
  });

  it('validates a type env variable at start-up even before its type appears', () => {
    expect(problemsOf({ env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: 'soon' } })).toEqual([
      { field: 'ADAPTIVE_POLLING_PVE_MIN_INTERVAL', message: expect.stringContaining('"soon" is not a duration') },
    ]);
  });

  it.each([
    ['pve', 'min', 'ADAPTIVE_POLLING_PVE_MIN_INTERVAL'],
    ['my-pve.v2', 'base', 'ADAPTIVE_POLLING_MY_PVE_V2_BASE_INTERVAL'],
    ['Pbs', 'max', 'ADAPTIVE_POLLING_PBS_MAX_INTERVAL'],
  ] as const)('type %s, %s interval -> %s', (type, interval, name) => {
    expect(typeEnvVariable(type, interval)).toBe(name);
  });

  it('per-type enabled, policy and poll timeout from code', () => {
    const resolved = resolvePollingOptions({
      code: { types: { pmg: { enabled: false, policy: 'fixed', pollTimeout: '5s' } } },
      env: { ADAPTIVE_POLLING_ENABLED: 'true' },
    });
    expect(resolved.perType.pmg).toMatchObject({ enabled: false, policy: 'fixed', pollTimeoutMs: 5 * SECOND });
    expect(resolved).toMatchObject({ enabled: true, policy: 'change-aware', pollTimeoutMs: 120 * SECOND });
  });

  it('optionsForType returns the type options, or the global ones for a type without overrides', () => {
    const resolved = resolvePollingOptions({ code: { minInterval: '6s', types: { pve: { minInterval: '7s' } } } });
    expect(optionsForType(resolved, 'pve').intervals.minMs).toBe(7 * SECOND);
    const other = optionsForType(resolved, 'pbs');
    expect(other.intervals.minMs).toBe(6 * SECOND);
    expect(other).not.toHaveProperty('perType');
    expect(optionsForType(resolved, 'toString').intervals.minMs).toBe(6 * SECOND);
  });
});

describe('ADAPTIVE_POLLING_ENABLED truthiness', () => {
  it.each<[string, boolean]>([
    ['0', false],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['no', false],
    [' No ', false],
    ['off', false],
    ['OFF\n', false],
    ['1', true],
    ['true', true],
    ['yes', true],
    ['on', true],
    ['Yes', true],
    [' ON ', true],
  ])('%j -> %s', (value, expected) => {
    // Code says the opposite, so the assertion shows the env value took effect.
    const resolved = resolvePollingOptions({ code: { enabled: !expected }, env: { ADAPTIVE_POLLING_ENABLED: value } });
    expect(resolved.enabled).toBe(expected);
  });

  it.each(['maybe', 'flase', 'enabled', '00', '2', 'nope'])('%j is a problem naming the variable, not true', (value) => {
    const problems = problemsOf({ env: { ADAPTIVE_POLLING_ENABLED: value } });
    expect(problems).toEqual([{ field: 'ADAPTIVE_POLLING_ENABLED', message: expect.stringContaining(JSON.stringify(value)) }]);
    expect(problems[0].message).toContain('1, true, yes, on');
  });

  it('false is the rollback switch: it turns off every type, also those enabled in code', () => {
    const resolved = resolvePollingOptions({
      code: { enabled: true, types: { pve: { enabled: true }, pbs: { minInterval: '6s' } } },
      env: { ADAPTIVE_POLLING_ENABLED: 'false' },
    });
    expect(resolved.enabled).toBe(false);
    expect(resolved.perType.pve.enabled).toBe(false);
    expect(resolved.perType.pbs.enabled).toBe(false);
  });

  it('true from env leaves a type disabled in code disabled (the more specific setting wins)', () => {
    const resolved = resolvePollingOptions({ code: { types: { pmg: { enabled: false } } }, env: { ADAPTIVE_POLLING_ENABLED: 'on' } });
    expect(resolved.perType.pmg.enabled).toBe(false);
  });

  it.each(['', '   ', undefined])('%j is unset: the code value stays', (value) => {
    const resolved = resolvePollingOptions({ code: { enabled: false }, env: { ADAPTIVE_POLLING_ENABLED: value } });
    expect(resolved.enabled).toBe(false);
  });
});

describe('validation: one row per rule', () => {
  const policies = { knownPolicies: ['change-aware', 'pulse', 'fixed'] };

  it.each<[string, PollingOptionSources, ExpectedProblem[]]>([
    ['min must be > 0', { code: { minInterval: 0 } }, [['minInterval', /^must be greater than 0 \(got 0ms\)$/]]],
    ['base must be > 0', { code: { baseInterval: '0s' } }, [['baseInterval', /^must be greater than 0 \(got 0ms\)$/]]],
    ['max must be > 0', { code: { maxInterval: 0 } }, [['maxInterval', /^must be greater than 0/]]],
    [
      'an interval is at most 24h',
      { env: { ADAPTIVE_POLLING_MAX_INTERVAL: '99999999h' } },
      [['ADAPTIVE_POLLING_MAX_INTERVAL', /^must be at most 24h \(got 99999999h\)$/]],
    ],
    [
      'a per-type interval is at most 24h',
      { code: { types: { pve: { maxInterval: '24h1ms' } } } },
      [['types.pve.maxInterval', /^must be at most 24h \(got 24h1ms\)$/]],
    ],
    [
      'system.json value must be > 0',
      { systemJson: { adaptivePollingMaxInterval: -5 } },
      [['system.json adaptivePollingMaxInterval', /^must be greater than 0 \(got -5s\)$/]],
    ],
    [
      'min must not exceed max',
      { code: { minInterval: '2m', baseInterval: '2m', maxInterval: '1m' } },
      [
        ['minInterval', /^min interval 2m \(minInterval\) exceeds max interval 1m \(maxInterval\)$/],
        [
          'baseInterval',
          /^base interval 2m \(baseInterval\) is above max interval 1m \(maxInterval\); the base interval must lie between min and max$/,
        ],
      ],
    ],
    [
      'base below min',
      { code: { baseInterval: '1s' } },
      [['baseInterval', /^base interval 1s \(baseInterval\) is below min interval 5s \(default minInterval\)/]],
    ],
    [
      'base above max',
      { code: { baseInterval: '10m' } },
      [['baseInterval', /^base interval 10m \(baseInterval\) is above max interval 5m \(default maxInterval\)/]],
    ],
    [
      'base below min, min from env: the env variable is blamed when base is a default',
      { env: { ADAPTIVE_POLLING_MIN_INTERVAL: '20s' } },
      [
        [
          'ADAPTIVE_POLLING_MIN_INTERVAL',
          /^base interval 10s \(default baseInterval\) is below min interval 20s \(ADAPTIVE_POLLING_MIN_INTERVAL\)/,
        ],
      ],
    ],
    [
      'min above max from system.json',
      { systemJson: { adaptivePollingMinInterval: 5, adaptivePollingBaseInterval: 5, adaptivePollingMaxInterval: 4 } },
      [
        [
          'system.json adaptivePollingMinInterval',
          /^min interval 5s \(system\.json adaptivePollingMinInterval\) exceeds max interval 4s \(system\.json adaptivePollingMaxInterval\)$/,
        ],
        ['system.json adaptivePollingBaseInterval', /is above max interval 4s/],
      ],
    ],
    [
      'unparseable code duration',
      { code: { maxInterval: '5x' } },
      [['maxInterval', /^"5x" is not a duration \(use e\.g\. 750ms, 10s, 5m, 1h30m\)$/]],
    ],
    [
      'unparseable env duration',
      { env: { ADAPTIVE_POLLING_MAX_INTERVAL: '5 minutes' } },
      [['ADAPTIVE_POLLING_MAX_INTERVAL', /"5 minutes" is not a duration/]],
    ],
    [
      'env duration without unit',
      { env: { ADAPTIVE_POLLING_BASE_INTERVAL: '10' } },
      [['ADAPTIVE_POLLING_BASE_INTERVAL', /"10" has no unit; add one, e\.g\. 10s or 10ms/]],
    ],
    ['negative code duration', { code: { pollTimeout: -1 } }, [['pollTimeout', /-1 is negative/]]],
    [
      'poll timeout must be > 0',
      { env: { ADAPTIVE_POLLING_POLL_TIMEOUT: '0ms' } },
      [['ADAPTIVE_POLLING_POLL_TIMEOUT', /^must be greater than 0/]],
    ],
    [
      'system.json non-integer seconds',
      { systemJson: { adaptivePollingMinInterval: 1.5 } },
      [['system.json adaptivePollingMinInterval', /^must be a whole number of seconds \(got 1\.5\)$/]],
    ],
    [
      'system.json string seconds',
      { systemJson: { adaptivePollingBaseInterval: '10s' } },
      [['system.json adaptivePollingBaseInterval', /^must be a whole number of seconds \(got "10s"\)$/]],
    ],
    [
      'system.json enabled not boolean',
      { systemJson: { adaptivePollingEnabled: 'yes' } },
      [['system.json adaptivePollingEnabled', /^must be true or false \(got "yes"\)$/]],
    ],
    ['system.json not an object', { systemJson: [1, 2] }, [['system.json', /^must hold a JSON object \(got an array\)$/]]],
    [
      'system.json a string',
      { systemJson: 'adaptivePollingEnabled' },
      [['system.json', /must hold a JSON object \(got "adaptivePollingEnabled"\)/]],
    ],
    [
      'interval jitter of 1',
      { code: { intervalJitter: 1 } },
      [['intervalJitter', /^must be a number from 0 up to but not including 1 \(got 1\)$/]],
    ],
    ['negative interval jitter', { code: { intervalJitter: -0.1 } }, [['intervalJitter', /got -0\.1/]]],
    ['backoff jitter above 1', { code: { backoff: { jitter: 1.5 } } }, [['backoff.jitter', /from 0 up to but not including 1/]]],
    [
      'failure threshold 0',
      { code: { breaker: { failureThreshold: 0 } } },
      [['breaker.failureThreshold', /^must be a whole number of at least 1 \(got 0\)$/]],
    ],
    ['failure threshold not whole', { code: { breaker: { failureThreshold: 2.5 } } }, [['breaker.failureThreshold', /got 2\.5/]]],
    [
      'max transient failures 0',
      { code: { deadLetter: { maxTransientFailures: 0 } } },
      [['deadLetter.maxTransientFailures', /whole number of at least 1/]],
    ],
    ['dead-letter retry delay 0', { code: { deadLetter: { retryDelay: 0 } } }, [['deadLetter.retryDelay', /^must be greater than 0/]]],
    [
      'backoff multiplier below 1',
      { code: { backoff: { multiplier: 0.5 } } },
      [['backoff.multiplier', /^must be a number of at least 1 \(got 0\.5\)/]],
    ],
    ['backoff initial 0', { code: { backoff: { initial: 0 } } }, [['backoff.initial', /^must be greater than 0/]]],
    [
      'backoff initial above backoff max',
      { code: { backoff: { initial: '10m' } } },
      [['backoff.initial', /^backoff initial delay 10m \(backoff\.initial\) exceeds backoff max 5m \(default backoff\.max\)$/]],
    ],
    [
      'unknown policy in code',
      { ...policies, code: { policy: 'puls' } },
      [['policy', /^"puls" is not a known policy \(known: change-aware, fixed, pulse\)$/]],
    ],
    [
      'unknown policy in env',
      { ...policies, env: { ADAPTIVE_POLLING_POLICY: 'fast' } },
      [['ADAPTIVE_POLLING_POLICY', /"fast" is not a known policy/]],
    ],
    [
      'unknown policy per type',
      { ...policies, code: { types: { pve: { policy: 'x' } } } },
      [['types.pve.policy', /"x" is not a known policy/]],
    ],
    ['policy not a string', { code: { policy: 3 as unknown as string } }, [['policy', /^must be a policy name \(got 3\)$/]]],
    ['enabled not boolean', { code: { enabled: 'no' as unknown as boolean } }, [['enabled', /^must be true or false \(got "no"\)$/]]],
    [
      'unknown top-level key, with a suggestion',
      { code: { minIntervalMs: 5 } as never },
      [['minIntervalMs', /^is not a known option; did you mean "minInterval"\? \(known: enabled, policy, baseInterval, /]],
    ],
    ['unknown key without a close match', { code: { redis: 'x' } as never }, [['redis', /^is not a known option \(known: /]]],
    [
      'unknown backoff key',
      { code: { backoff: { factor: 2 } } as never },
      [['backoff.factor', /is not a known option \(known: initial, multiplier, jitter, max\)/]],
    ],
    ['unknown breaker key', { code: { breaker: { threshold: 2 } } as never }, [['breaker.threshold', /is not a known option/]]],
    [
      'unknown per-type key',
      { code: { types: { pve: { maxInterva: '1m' } } } as never },
      [['types.pve.maxInterva', /did you mean "maxInterval"\?/]],
    ],
    ['backoff not an object', { code: { backoff: 5 } as never }, [['backoff', /^must be an object \(got 5\)$/]]],
    ['types not an object', { code: { types: [] } as never }, [['types', /^must be an object \(got an array\)$/]]],
    ['per-type entry not an object', { code: { types: { pve: null } } as never }, [['types.pve', /^must be an object \(got null\)$/]]],
    ['code options not an object', { code: 'fast' as never }, [['options', /^must be an object \(got "fast"\)$/]]],
    [
      'per-type base below the type min',
      { code: { types: { pve: { minInterval: '1m' } } } },
      [
        [
          'types.pve.minInterval',
          /^for type "pve", base interval 10s \(default baseInterval\) is below min interval 1m \(types\.pve\.minInterval\)/,
        ],
      ],
    ],
    ['per-type min must be > 0', { code: { types: { pve: { minInterval: 0 } } } }, [['types.pve.minInterval', /^must be greater than 0/]]],
    [
      'per-type env min above the type max',
      { knownTypes: ['pve'], env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: '10m' } },
      [
        [
          'ADAPTIVE_POLLING_PVE_MIN_INTERVAL',
          /^for type "pve", min interval 10m \(ADAPTIVE_POLLING_PVE_MIN_INTERVAL\) exceeds max interval 5m \(default maxInterval\)$/,
        ],
        ['ADAPTIVE_POLLING_PVE_MIN_INTERVAL', /^for type "pve", base interval 10s \(default baseInterval\) is below min interval 10m/],
      ],
    ],
    [
      'per-type env unparseable',
      { knownTypes: ['pve'], env: { ADAPTIVE_POLLING_PVE_MAX_INTERVAL: 'soon' } },
      [['ADAPTIVE_POLLING_PVE_MAX_INTERVAL', /"soon" is not a duration/]],
    ],
    [
      'an unparseable field is skipped by range checks (no second message)',
      { code: { minInterval: '5x', baseInterval: '1s' } },
      [['minInterval', /"5x" is not a duration/]],
    ],
    [
      'a global problem is not repeated for every type that inherits it',
      { code: { baseInterval: '10m', types: { pve: { enabled: false } } }, knownTypes: ['pbs'] },
      [['baseInterval', /is above max interval 5m/]],
    ],
    [
      'one env variable serving two type names is reported once',
      { knownTypes: ['pve', 'PVE'], env: { ADAPTIVE_POLLING_PVE_MIN_INTERVAL: 'x' } },
      [['ADAPTIVE_POLLING_PVE_MIN_INTERVAL', /"x" is not a duration/]],
    ],
  ])('%s', (_name, sources, expected) => {
    expectProblems(sources, expected);
  });

  it('acceptance: min 0, base above max and min above max fail with one error listing every problem, each naming its field', () => {
    expectProblems(
      {
        code: {
          minInterval: 0,
          baseInterval: '10m',
          maxInterval: '5m',
          types: { pve: { minInterval: '10m', maxInterval: '5m' } },
        },
      },
      [
        ['minInterval', /^must be greater than 0 \(got 0ms\)$/],
        ['baseInterval', /^base interval 10m \(baseInterval\) is above max interval 5m \(maxInterval\)/],
        [
          'types.pve.minInterval',
          /^for type "pve", min interval 10m \(types\.pve\.minInterval\) exceeds max interval 5m \(types\.pve\.maxInterval\)$/,
        ],
        [
          'types.pve.maxInterval',
          /^for type "pve", base interval 10m \(baseInterval\) is above max interval 5m \(types\.pve\.maxInterval\)/,
        ],
      ],
    );
  });

  it('reports problems from every source together (code, system.json, env, ranges)', () => {
    const problems = problemsOf({
      ...policies,
      code: { minInterval: '5x', intervalJitter: 2, typo: 1 } as never,
      systemJson: { adaptivePollingMaxInterval: 'soon' },
      env: { ADAPTIVE_POLLING_POLICY: 'nope', ADAPTIVE_POLLING_BASE_INTERVAL: '0s' },
    });
    expect(problems.map((p) => p.field).sort()).toEqual(
      [
        'typo',
        'minInterval',
        'intervalJitter',
        'system.json adaptivePollingMaxInterval',
        'ADAPTIVE_POLLING_POLICY',
        'ADAPTIVE_POLLING_BASE_INTERVAL',
      ].sort(),
    );
  });

  it('accepts a valid configuration with every source filled in', () => {
    const resolved = resolvePollingOptions({
      ...policies,
      code: { policy: 'pulse', minInterval: '1s', baseInterval: '2s', maxInterval: '10s', types: { pve: { baseInterval: '3s' } } },
      systemJson: { adaptivePollingEnabled: false, unrelatedSetting: 'kept out' },
      env: { ADAPTIVE_POLLING_MAX_INTERVAL: '20s', OTHER: 'x' },
    });
    expect(resolved.intervals).toEqual({ baseMs: 2 * SECOND, minMs: SECOND, maxMs: 20 * SECOND });
    expect(resolved.perType.pve.intervals).toEqual({ baseMs: 3 * SECOND, minMs: SECOND, maxMs: 20 * SECOND });
    expect(resolved.enabled).toBe(false);
  });
});

describe('parseSystemJsonText', () => {
  it('returns the parsed object (a byte-order mark is allowed)', () => {
    expect(parseSystemJsonText('\uFEFF{"adaptivePollingEnabled": true}', '/data/system.json')).toEqual({
      ok: true,
      value: { adaptivePollingEnabled: true },
    });
  });

  it.each<[string, RegExp]>([
    ['{"adaptivePollingEnabled": tru}', /^is not valid JSON \(.+\)$/],
    ['', /^is not valid JSON/],
    ['[]', /^must hold a JSON object \(got an array\)$/],
    ['42', /^must hold a JSON object \(got 42\)$/],
  ])('%j is a problem naming the file', (text, message) => {
    const result = parseSystemJsonText(text, '/data/system.json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.field).toBe('/data/system.json');
    expect(result.problem.message).toMatch(message);
  });
});
