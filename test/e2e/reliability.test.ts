import { describe, expect, it } from 'vitest';
import {
  badInputAtStart,
  CI_SCALE,
  gracefulSigterm,
  hungPollAborted,
  killNineMidPoll,
  threeReplicasSoak,
  type ScenarioResult,
} from '../reliability/scenarios';
import { postgresOutage, redisRestartedEmpty } from '../reliability/persistence-scenarios';

/**
 * The part of the reliability suite that fits in CI: the same scenarios as
 * `npm run test:reliability`, the soak shortened. Each figure must meet its bound.
 */
function expectBoundsMet(result: ScenarioResult): void {
  console.log(`${result.scenario}: ${result.figures.map((f) => `${f.name}=${String(f.value)}`).join('; ')}`);
  expect(result.figures.filter((f) => !f.ok)).toEqual([]);
}

describe('reliability (CI subset)', () => {
  it('kill -9 of a replica mid-poll: no target lost, its polls retaken within 10 s', async () => {
    expectBoundsMet(await killNineMidPoll());
  }, 120_000);

  it('3 replicas x 100 targets: no overlap, no duplicate job, polls per target in band', async () => {
    expectBoundsMet(await threeReplicasSoak(CI_SCALE));
  }, 180_000);

  it('SIGTERM: running polls end within the bound, schedule intact, shutdown marker written', async () => {
    expectBoundsMet(await gracefulSigterm());
  }, 120_000);

  it('a hung poll is aborted at the timeout', async () => {
    expectBoundsMet(await hungPollAborted());
  }, 60_000);

  it('bad env and system.json stop the start with errors naming the fields; nothing stored is lost', async () => {
    expectBoundsMet(await badInputAtStart());
  }, 120_000);
});

describe('reliability with the database (CI subset)', () => {
  it('Redis restarted empty: every target scheduled again within seconds, dead letters kept', async () => {
    expectBoundsMet(await redisRestartedEmpty());
  }, 150_000);

  it('PostgreSQL stopped and started during polling: polling never stops, no audit record lost', async () => {
    expectBoundsMet(await postgresOutage());
  }, 180_000);
});
