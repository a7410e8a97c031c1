import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { PollingSchedulerService, TargetRegistryService } from 'nestjs-adaptive-polling';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp, type ScriptedAppOptions } from '../support/scripted-app';

/**
 * Option changes an operator makes between restarts take effect: the
 * rollback switch, per-type env for a type that appears at run time, and
 * removing the global concurrency cap. Real Nest app, real BullMQ, private Redis.
 */

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
let queueSeq = 0;

async function start(options: Partial<ScriptedAppOptions> & { queueName: string }): Promise<ScriptedApp> {
  const app = await startScriptedApp(new PollRecorder(), { redis: redis.url, polling: fastPolling(), ...options });
  apps.push(app);
  return app;
}

describe('option changes take effect', () => {
  it('ADAPTIVE_POLLING_ENABLED=false reverts every type, also one enabled in code', async () => {
    const app = await start({
      queueName: `option-changes-${++queueSeq}`,
      polling: fastPolling({ policy: 'change-aware', types: { scripted: { enabled: true } } }),
      env: { ADAPTIVE_POLLING_ENABLED: 'false' },
      targets: [{ name: 'a', type: 'scripted' }],
    });
    const scheduler = app.app.get(PollingSchedulerService);
    expect(scheduler.settings().enabled).toBe(false);
    expect(scheduler.settings('scripted').enabled).toBe(false);
  });

  it('per-type env applies to a type first registered at run time', async () => {
    const app = await start({
      queueName: `option-changes-${++queueSeq}`,
      env: { ADAPTIVE_POLLING_SCRIPTED_BASE_INTERVAL: '7s', ADAPTIVE_POLLING_SCRIPTED_MIN_INTERVAL: '6s' },
      targets: [],
    });
    await app.app.get(TargetRegistryService).add({ name: 'late', type: 'scripted' });
    const scheduler = app.app.get(PollingSchedulerService);
    expect(scheduler.settings('scripted').intervals).toMatchObject({ baseMs: 7_000, minMs: 6_000 });
    // The fixed policy polls at the type's base interval (with the 5 % jitter), not the global 100 ms.
    const info = await eventually(async () => {
      const schedule = await scheduler.schedule('scripted::late');
      return schedule?.currentIntervalMs != null ? schedule : undefined;
    }, 'the run-time target was polled once');
    expect(info.currentIntervalMs).toBeGreaterThanOrEqual(6_650);
    expect(info.currentIntervalMs).toBeLessThanOrEqual(7_350);
  });

  it('removing globalConcurrency lifts the cap stored in Redis', async () => {
    const queueName = `option-changes-${++queueSeq}`;
    const queue = new Queue(queueName, { connection: { url: redis.url } });
    try {
      const capped = await start({ queueName, globalConcurrency: 2, targets: [] });
      expect(await queue.getGlobalConcurrency()).toBe(2);
      // A process that runs no polls does not touch the workers' cap.
      await start({ queueName, worker: false, targets: [] });
      expect(await queue.getGlobalConcurrency()).toBe(2);
      apps.splice(apps.indexOf(capped), 1);
      await capped.close();
      await start({ queueName, targets: [] });
      expect(await queue.getGlobalConcurrency()).toBeNull();
    } finally {
      await queue.close();
    }
  });
});
