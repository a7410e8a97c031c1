import pg from 'pg';
import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import type { TargetPollState } from 'nestjs-adaptive-polling';
import { PostgresProcess } from '../support/postgres-process';
import { healthyTargets, ReliabilityRig, RIG_TOKEN, secondsUntil } from './rig';
import type { Figure, ScenarioResult } from './scenarios';

async function stateOf(rig: ReliabilityRig, key: string): Promise<TargetPollState | null> {
  const raw = await rig.client.hget(`bull:${rig.queueName}:target-${encodeURIComponent(key)}`, 'data').catch(() => null);
  if (!raw) return null;
  return targetStateFromJobData(JSON.parse(raw));
}

/**
 * Redis restarted empty under a running replica: every target is scheduled
 * again within seconds, and the parked target keeps its dead letter and its
 * retry time (restored from the database).
 */
export async function redisRestartedEmpty(): Promise<ScenarioResult> {
  const targets = [...healthyTargets(10), { name: 'pve-locked', type: 'pve', unauthorized: true }];
  const rig = await ReliabilityRig.start('redisloss', targets);
  try {
    await rig.startReplica();
    const parked = await secondsUntil(
      async () => Boolean((await stateOf(rig, 'pve::pve-locked'))?.deadLetter),
      30_000,
      'the locked target is parked',
    ).then(() => stateOf(rig, 'pve::pve-locked'));
    const retryAtBefore = parked!.deadLetter!.retryAtMs;
    // Let the write-behind buffer (1 s batches) store the dead letter.
    await new Promise((r) => setTimeout(r, 2_500));
    await rig.redis.restartEmpty();
    const seconds = await secondsUntil(
      async () => (await rig.jobKeys().catch(() => [])).length === targets.length,
      60_000,
      'every target has its job again',
    );
    const after = await stateOf(rig, 'pve::pve-locked');
    const kept = after?.deadLetter?.retryAtMs === retryAtBefore;
    const figures: Figure[] = [
      { name: 'seconds until every target was scheduled again', value: Number(seconds.toFixed(2)), bound: '<= 15 s', ok: seconds <= 15 },
      { name: 'dead letter kept with its retry time', value: kept, bound: 'true', ok: kept },
    ];
    return {
      scenario: 'Redis restarted empty',
      figures,
      notes: ['11 targets (one parked as unauthorized), SQLite persistence; redis-server killed and started empty on the same port'],
    };
  } finally {
    await rig.stop();
  }
}

/**
 * PostgreSQL stopped and started during polling: polling never stops, and
 * every audit record written during the outage lands once it is back.
 */
export async function postgresOutage(): Promise<ScenarioResult> {
  const targets = healthyTargets(6);
  const rig = await ReliabilityRig.start('pgoutage', targets);
  const database = await PostgresProcess.start();
  try {
    const replica = await rig.startReplica({
      DATABASE_URL: database.url,
      ADAPTIVE_POLLING_BASE_INTERVAL: '1s',
      ADAPTIVE_POLLING_MIN_INTERVAL: '1s',
      ADAPTIVE_POLLING_ENABLED: 'false',
    });
    await secondsUntil(() => rig.totalRequests() >= 12, 30_000, 'polling started');
    database.stopServer();
    const outageStart = Date.now();
    const requestsAtStop = rig.totalRequests();
    const actions = 10;
    for (let i = 0; i < actions; i++) {
      const route = i % 2 === 0 ? 'pause' : 'resume';
      const res = await fetch(`${replica.demo.url}/api/monitoring/instances/${encodeURIComponent('pve::node-0')}/${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${RIG_TOKEN}` },
      });
      if (res.status !== 200 && res.status !== 201) throw new Error(`${route} answered ${res.status}`);
    }
    await new Promise((r) => setTimeout(r, 8_000)); // the outage itself lasts a while on purpose
    const polledDuringOutage = rig.totalRequests() - requestsAtStop;
    const outageSeconds = (Date.now() - outageStart) / 1000;
    database.startServer();
    let landed = 0;
    const seconds = await secondsUntil(
      async () => {
        // A fresh client per look: one that failed to connect cannot be reused.
        const client = new pg.Client(database.url);
        try {
          await client.connect();
          const result = await client.query(
            "select count(*)::int as n from ap_audit_records where action in ('target.pause', 'target.resume')",
          );
          landed = result.rows[0].n as number;
        } catch {
          landed = 0;
        } finally {
          await client.end().catch(() => undefined);
        }
        return landed >= actions;
      },
      60_000,
      'every audit record written during the outage landed',
    ).catch(() => -1);
    const expectedPolls = outageSeconds * (targets.length - 1) * 0.7;
    return {
      scenario: 'PostgreSQL stopped and started during polling',
      figures: [
        {
          name: 'polls during the outage',
          value: polledDuringOutage,
          bound: `>= ${Math.floor(expectedPolls)} (5 of 6 targets at 1 s, 70 %)`,
          ok: polledDuringOutage >= expectedPolls,
        },
        {
          name: 'operator audit records landed after the outage',
          value: `${landed} of ${actions}`,
          bound: `${actions} of ${actions}`,
          ok: landed === actions,
        },
        { name: 'seconds from restart until they landed', value: Number(seconds.toFixed(2)), bound: '<= 60 s', ok: seconds >= 0 },
      ],
      notes: [
        `a private PostgreSQL cluster stopped for ${outageSeconds.toFixed(1)} s; ${actions} pause/resume actions through the API during the outage`,
      ],
    };
  } finally {
    await rig.stop();
    database.destroy();
  }
}

/** Scenarios that need the database layer (Redis restarted empty, PostgreSQL outage). */
export const ALL_PERSISTENCE_SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  redisloss: redisRestartedEmpty,
  pgoutage: postgresOutage,
};
