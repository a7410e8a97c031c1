import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, runDemoToExit } from '../support/demo-process';

/**
 * The built demo (`node dist/...`) refuses a bad configuration at once: one
 * message naming every bad variable, no stack trace, no object dump, a
 * non-zero exit within 5 s, and nothing connected or waited out first.
 */

const EXIT_BOUND_MS = 5_000;
// Clean env for these runs: the test runner's own values must not leak in.
const BASE_ENV = { ADAPTIVE_POLLING_API_TOKEN: 'demo-configuration-test-token', DATABASE_URL: '', REDIS_URL: '' };

beforeAll(() => buildDemo(), 180_000);

async function refused(env: Record<string, string>, named: string[]): Promise<string> {
  const run = await runDemoToExit({ ...BASE_ENV, ...env }, 20_000);
  console.log(`demo exit on bad configuration ${JSON.stringify(env)}: code ${run.code} after ${Math.round(run.elapsedMs)} ms`);
  expect(run.code, run.output).not.toBe(0);
  expect(run.code, run.output).not.toBeNull();
  expect(run.elapsedMs, run.output).toBeLessThan(EXIT_BOUND_MS);
  for (const name of named) expect(run.output, `${name} is not named`).toContain(name);
  expect(run.output).toMatch(/Invalid adaptive polling configuration \(\d+ problems?\)/);
  // No stack trace and no dump of the problems object.
  expect(run.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.output).not.toMatch(/problems: \[|field: '/);
  expect(run.output).not.toContain('ExceptionHandler');
  return run.output;
}

describe('the demo refuses a bad configuration by name, all at once, fast', () => {
  it('REDIS_URL=garbage', async () => {
    const output = await refused({ REDIS_URL: 'garbage' }, ['REDIS_URL']);
    expect(output).not.toMatch(/^Invalid URL$/m);
  });

  it('ADAPTIVE_POLLING_ENABLED=maybe', async () => {
    await refused({ ADAPTIVE_POLLING_ENABLED: 'maybe' }, ['ADAPTIVE_POLLING_ENABLED']);
  });

  it.each(['garbage', 'postgres://::nope', 'mysql://user:secret@db/app'])(
    'a malformed DATABASE_URL (%s) is a configuration error, not an outage',
    async (url) => {
      const output = await refused({ DATABASE_URL: url }, ['DATABASE_URL']);
      expect(output).not.toContain('secret');
    },
  );

  it('several bad values at once: every one is named in one message', async () => {
    const output = await refused(
      {
        REDIS_URL: 'garbage',
        DATABASE_URL: 'mysql://db/app',
        ADAPTIVE_POLLING_ENABLED: 'flase',
        ADAPTIVE_POLLING_MAX_INTERVAL: '99999999h',
        ADAPTIVE_POLLING_PVE_MIN_INTERVAL: 'soon',
        ADAPTIVE_POLLING_API_TOKEN: 'short',
        PORT: '99999',
      },
      [
        'REDIS_URL',
        'DATABASE_URL',
        'ADAPTIVE_POLLING_ENABLED',
        'ADAPTIVE_POLLING_MAX_INTERVAL',
        'ADAPTIVE_POLLING_PVE_MIN_INTERVAL',
        'ADAPTIVE_POLLING_API_TOKEN',
        'PORT',
      ],
    );
    expect(output).toMatch(/\(7 problems\)/);
  });
});
