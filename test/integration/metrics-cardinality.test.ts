import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/events';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * Per-target labels are `auto` by default: on for a fleet up to
 * metrics.perTargetLabelLimit targets at start-up, off above it.
 */
let redis: PrivateRedis;
const apps: ObservedApp[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await redis?.stop();
});

async function scrapeAfterPolls(limit: number, queueName: string): Promise<string> {
  const recorder = new PollRecorder();
  const app = await startObservedApp(recorder, {
    redis: redis.url,
    queueName,
    polling: fastPolling(),
    metrics: { perTargetLabelLimit: limit },
    targets: ['a', 'b', 'c'].map((name) => ({ type: 'scripted', name })),
  });
  apps.push(app);
  await eventually(() => Promise.resolve(['a', 'b', 'c'].every((n) => recorder.count(`scripted::${n}`) >= 1)), 'every target polled');
  return eventually(async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return /pulse_monitor_poll_total\{/.test(text) ? text : undefined;
  }, 'poll totals are scraped');
}

describe('per-target labels by fleet size', () => {
  it('keeps one series per target while the start-up fleet is within the limit', async () => {
    const text = await scrapeAfterPolls(3, 'cardinality-within');
    expect(text).toMatch(/pulse_monitor_poll_total\{instance_type="scripted",instance="scripted::a",result="success"\}/);
    expect(text).not.toMatch(/instance="all"/);
  });

  it('aggregates per type (instance="all") above the limit', async () => {
    const text = await scrapeAfterPolls(2, 'cardinality-above');
    expect(text).toMatch(/pulse_monitor_poll_total\{instance_type="scripted",instance="all",result="success"\}/);
    expect(text).not.toMatch(/instance="scripted::a"/);
  });
});
