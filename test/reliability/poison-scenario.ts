import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import { ReliabilityRig, secondsUntil, type Replica } from './rig';
import type { ScenarioResult } from './scenarios';

/**
 * A poll that kills its process, 2 replicas: the replica holding the poison
 * target's poll is killed (as the handler would kill itself) and replaced,
 * until the target is dead-lettered with reason `stalled`. A healthy target
 * must keep polling on the survivors.
 */
export async function poisonTargetParked(): Promise<ScenarioResult> {
  const rig = await ReliabilityRig.start('poison', [
    { name: 'pve-poison', type: 'pve', changeEverySeconds: 60, latencyMs: 60_000 },
    { name: 'pve-healthy', type: 'pve', changeEverySeconds: 1 },
  ]);
  try {
    const env = { ADAPTIVE_POLLING_MAX_INTERVAL: '10s' };
    await rig.startReplica(env);
    await rig.startReplica(env);
    const jobKey = `bull:${rig.queueName}:target-${encodeURIComponent('pve::pve-poison')}`;
    const state = async () => {
      const raw = await rig.client.hget(jobKey, 'data');
      return raw ? targetStateFromJobData(JSON.parse(raw)) : null;
    };
    const startedAt = Date.now();
    let kills = 0;
    let holder: Replica | undefined;
    const takeovers: number[] = [];
    let killedAt = 0;
    while (kills < 10) {
      await secondsUntil(
        async () => {
          holder = rig.replicas.find((r) => r.inFlightTargets().includes('pve-poison'));
          return holder !== undefined || (await state())?.deadLetter != null;
        },
        60_000,
        'the poison target is mid-poll or parked',
      );
      if (killedAt > 0) takeovers.push((Date.now() - killedAt) / 1000);
      if ((await state())?.deadLetter) break;
      await holder!.demo.stop('SIGKILL');
      rig.replicas.splice(rig.replicas.indexOf(holder!), 1);
      killedAt = Date.now();
      kills += 1;
      await rig.startReplica(env);
    }
    const parkedAfter = (Date.now() - startedAt) / 1000;
    const reason = (await state())?.deadLetter?.reason ?? 'none';
    const healthyBefore = rig.requests('pve-healthy');
    const healthySeconds = await secondsUntil(
      () => rig.requests('pve-healthy') >= healthyBefore + 2,
      30_000,
      'the healthy target keeps polling',
    ).catch(() => Infinity);
    return {
      scenario: 'a poll that kills its process (poison target)',
      figures: [
        { name: 'processes killed before the target was parked', value: kills, bound: '= 3', ok: kills === 3 },
        { name: 'dead-letter reason', value: reason, bound: 'stalled', ok: reason === 'stalled' },
        {
          name: 'seconds for the healthy target to poll twice more after the park',
          value: Number(healthySeconds.toFixed(2)),
          bound: '<= 30 s',
          ok: healthySeconds <= 30,
        },
      ],
      notes: [
        `2 replicas, one replaced after each kill; parked ${parkedAfter.toFixed(1)} s after the first replicas started`,
        `seconds from each kill to the next run (takeover or park): ${takeovers.map((s) => s.toFixed(2)).join(', ')}`,
      ],
    };
  } finally {
    await rig.stop();
  }
}
