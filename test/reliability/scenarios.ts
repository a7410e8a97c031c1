import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { healthyTargets, ReliabilityRig, RIG_TOKEN, secondsUntil } from './rig';
import { simulatorEnv, startDemo } from '../support/demo-process';

/** A measured figure and the bound it must meet. */
export interface Figure {
  name: string;
  value: number | string | boolean | null;
  bound: string;
  ok: boolean;
}

export interface ScenarioResult {
  scenario: string;
  figures: Figure[];
  notes: string[];
}

/** Longer runs for `npm run test:reliability`, shorter ones for the CI subset. */
export interface ScenarioScale {
  /** Seconds the 3-replica soak runs after warm-up. */
  soakSeconds: number;
}

export const FULL_SCALE: ScenarioScale = { soakSeconds: 180 };
export const CI_SCALE: ScenarioScale = { soakSeconds: 30 };

const fixedCadence = (seconds: number) => ({
  ADAPTIVE_POLLING_ENABLED: 'false',
  ADAPTIVE_POLLING_BASE_INTERVAL: `${seconds}s`,
  ADAPTIVE_POLLING_MIN_INTERVAL: '500ms',
  ADAPTIVE_POLLING_MAX_INTERVAL: '1m',
});

function atMost(name: string, value: number, limit: number, unit = ''): Figure {
  return { name, value: Number(value.toFixed(3)), bound: `<= ${limit}${unit}`, ok: value <= limit };
}

function exactly(name: string, value: number, expected: number): Figure {
  return { name, value, bound: `= ${expected}`, ok: value === expected };
}

async function withRig<T>(rig: ReliabilityRig, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await rig.stop();
  }
}

/**
 * kill -9 of a replica mid-poll: every target it had in flight is polled
 * again by the other replica within 10 s, and no target is lost.
 */
export async function killNineMidPoll(): Promise<ScenarioResult> {
  // 8 targets fit the survivor's worker slots (min(targets, 10)), so what is
  // measured is the takeover, not a queue behind saturated workers.
  const targets = healthyTargets(8, 'slow', { latencyMs: 6000 });
  const rig = await ReliabilityRig.start('kill9', targets);
  return withRig(rig, async () => {
    const env = fixedCadence(2);
    const victim = await rig.startReplica(env);
    await secondsUntil(() => victim.inFlightTargets().length >= 3, 30_000, 'the victim has polls in flight');
    const survivor = await rig.startReplica(env);
    const inFlight = victim.inFlightTargets();
    const before = new Map(targets.map((t) => [(t as { name: string }).name, rig.requests((t as { name: string }).name)]));
    await victim.demo.stop('SIGKILL');
    const killedAt = Date.now();
    const takeover: number[] = [];
    await Promise.all(
      inFlight.map(async (name) => {
        const seconds = await secondsUntil(() => rig.requests(name) > before.get(name)!, 30_000, `${name} polled again`);
        takeover.push(seconds);
      }),
    );
    // Every target must be polled again after the kill (fixed 2 s cadence + 6 s latency).
    const lost = (
      await Promise.all(
        [...before].map(([name, count]) =>
          secondsUntil(() => rig.requests(name) > count, 40_000, `${name} polled after the kill`).then(
            () => 0,
            () => 1,
          ),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    const jobs = (await rig.jobKeys()).length;
    void survivor;
    return {
      scenario: 'kill -9 of a replica mid-poll',
      figures: [
        exactly('targets lost', lost, 0),
        atMost("seconds until the killed replica's polls ran again (max)", Math.max(...takeover), 10, ' s'),
        { name: 'polls in flight on the killed replica', value: inFlight.length, bound: '>= 1', ok: inFlight.length >= 1 },
        exactly('jobs after the kill', jobs, targets.length),
      ],
      notes: [
        `8 targets answering in 6 s, fixed 2 s cadence, 2 replicas; killed with SIGKILL ${((Date.now() - killedAt) / 1000).toFixed(1)} s before the end of the check`,
        `takeover seconds per in-flight target: ${takeover.map((s) => s.toFixed(2)).join(', ')}`,
      ],
    };
  });
}

/**
 * 3 replicas x 100 targets on one Redis: no overlapping polls (the
 * simulator's maxConcurrent), exactly one job per target, and polls per
 * target within the band a 2 s fixed cadence implies.
 */
export async function threeReplicasSoak(scale: ScenarioScale): Promise<ScenarioResult> {
  const targets = healthyTargets(100);
  const rig = await ReliabilityRig.start('soak', targets);
  return withRig(rig, async () => {
    const env = fixedCadence(2);
    await Promise.all([rig.startReplica(env), rig.startReplica(env), rig.startReplica(env)]);
    // Warm-up: every target polled once, then count from a clean slate.
    await secondsUntil(() => Object.values(rig.simulator.stats().targets).every((t) => t.requests >= 1), 30_000, 'every target polled');
    const baseline = new Map(Object.entries(rig.simulator.stats().targets).map(([n, s]) => [n, s.requests]));
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, scale.soakSeconds * 1000)); // the soak itself: real time is the point
    const seconds = (Date.now() - startedAt) / 1000;
    const stats = rig.simulator.stats().targets;
    const perTarget = Object.entries(stats).map(([name, s]) => s.requests - baseline.get(name)!);
    const expected = seconds / 2; // 2 s fixed cadence, +-5 % jitter, plus the poll's own time
    const overlapping = Object.values(stats).filter((s) => s.maxConcurrent > 1).length;
    const jobs = (await rig.jobKeys()).length;
    const min = Math.min(...perTarget);
    const max = Math.max(...perTarget);
    const low = Math.floor(expected * 0.75);
    const high = Math.ceil(expected * 1.1);
    return {
      scenario: `3 replicas x 100 targets for ${Math.round(seconds)} s`,
      figures: [
        exactly('targets with overlapping polls (simulator maxConcurrent > 1)', overlapping, 0),
        exactly('duplicate jobs (jobs - targets)', jobs - targets.length, 0),
        {
          name: 'polls per target (min..max)',
          value: `${min}..${max}`,
          bound: `${low}..${high} (expected ~${expected.toFixed(1)})`,
          ok: min >= low && max <= high,
        },
      ],
      notes: [`${rig.totalRequests()} requests in all; fixed 2 s cadence (adaptive off) so the expected count is known`],
    };
  });
}

/**
 * SIGTERM: running polls end within the shutdown bound, the process exits,
 * and the schedule is intact in Redis for the next start.
 */
export async function gracefulSigterm(): Promise<ScenarioResult> {
  const targets = healthyTargets(10, 'busy', { latencyMs: 3000 });
  const rig = await ReliabilityRig.start('sigterm', targets);
  return withRig(rig, async () => {
    const replica = await rig.startReplica(fixedCadence(2));
    await secondsUntil(() => replica.inFlightTargets().length >= 3, 30_000, 'polls in flight');
    const inFlightAtSignal = replica.inFlightTargets().length;
    const signalledAt = Date.now();
    const exitCode = await replica.demo.stop('SIGTERM', 30_000);
    const exitSeconds = (Date.now() - signalledAt) / 1000;
    const stillInFlight = replica.inFlightTargets().length;
    const jobs = (await rig.jobKeys()).length;
    const markers = await rig.client.keys(`bull:${rig.queueName}:ap:replica*shutdown*`);
    return {
      scenario: 'SIGTERM with polls in flight',
      figures: [
        { name: 'polls in flight at SIGTERM', value: inFlightAtSignal, bound: '>= 1', ok: inFlightAtSignal >= 1 },
        atMost('seconds until the process exited (grace 10 s + close)', exitSeconds, 12, ' s'),
        exactly('polls still in flight after exit', stillInFlight, 0),
        exactly('jobs left in Redis (schedule intact)', jobs, targets.length),
        { name: 'exit code', value: exitCode, bound: '0 or signal', ok: exitCode === 0 || exitCode === null },
        { name: 'shutdown marker written', value: markers.length > 0, bound: 'true', ok: markers.length > 0 },
      ],
      notes: ['10 targets answering in 3 s; polls in flight finish (3 s) inside the 10 s grace, so none is aborted'],
    };
  });
}

/** A hung poll is aborted at the poll timeout: the simulator sees the request closed. */
export async function hungPollAborted(): Promise<ScenarioResult> {
  const rig = await ReliabilityRig.start('hang', [{ name: 'pmg-hang', type: 'pmg', hang: true }]);
  return withRig(rig, async () => {
    const replica = await rig.startReplica({
      ADAPTIVE_POLLING_POLL_TIMEOUT: '2s',
      ADAPTIVE_POLLING_BASE_INTERVAL: '1s',
      ADAPTIVE_POLLING_MIN_INTERVAL: '1s',
    });
    await secondsUntil(() => replica.inFlightTargets().includes('pmg-hang'), 20_000, 'the hung poll started');
    const abortedAfter = await secondsUntil(() => !replica.inFlightTargets().includes('pmg-hang'), 10_000, 'the hung poll was aborted');
    return {
      scenario: 'hung poll',
      figures: [atMost('seconds from request start to abort (timeout 2 s)', abortedAfter, 2.5, ' s')],
      notes: ['the simulator never answers; the poller passes the AbortSignal to fetch'],
    };
  });
}

/**
 * Bad input: malformed env values and a malformed system.json stop the
 * start with one error naming every field, and what was stored survives.
 */
export async function badInputAtStart(): Promise<ScenarioResult> {
  const rig = await ReliabilityRig.start('badinput', [{ name: 'pve-locked', type: 'pve', unauthorized: true }]);
  return withRig(rig, async () => {
    const good = await rig.startReplica();
    const parkedKey = `bull:${rig.queueName}:target-${encodeURIComponent('pve::pve-locked')}`;
    await secondsUntil(
      async () => ((await rig.client.hget(parkedKey, 'data')) ?? '').includes('permanent_failure'),
      30_000,
      'the locked target is parked',
    );
    const storedBefore = await rig.client.hget(parkedKey, 'data');
    await good.demo.stop('SIGTERM');

    const envFailure = await startDemo({
      PORT: '0',
      REDIS_URL: rig.redis.url,
      DEMO_FLEET: rig.fleetPath,
      ...simulatorEnv(rig.simulator.url, rig.simulator.tls),
      DEMO_QUEUE_NAME: rig.queueName,
      ADAPTIVE_POLLING_API_TOKEN: RIG_TOKEN,
      ADAPTIVE_POLLING_MIN_INTERVAL: 'soon',
      ADAPTIVE_POLLING_MAX_INTERVAL: '0s',
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    const systemJson = join(rig.workDir, 'system.json');
    writeFileSync(systemJson, '{ "adaptivePollingMinInterval": "five", ');
    const jsonFailure = await startDemo({
      PORT: '0',
      REDIS_URL: rig.redis.url,
      DEMO_FLEET: rig.fleetPath,
      ...simulatorEnv(rig.simulator.url, rig.simulator.tls),
      DEMO_QUEUE_NAME: rig.queueName,
      ADAPTIVE_POLLING_API_TOKEN: RIG_TOKEN,
      DEMO_SYSTEM_JSON: systemJson,
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    const storedAfter = await rig.client.hget(parkedKey, 'data');
    const envNamesBoth = envFailure.includes('ADAPTIVE_POLLING_MIN_INTERVAL') && envFailure.includes('ADAPTIVE_POLLING_MAX_INTERVAL');
    const jsonNamesFile = jsonFailure.includes('system.json');
    return {
      scenario: 'bad input at start-up',
      figures: [
        { name: 'bad env: start refused, one error naming both fields', value: envNamesBoth, bound: 'true', ok: envNamesBoth },
        { name: 'malformed system.json: start refused naming the file', value: jsonNamesFile, bound: 'true', ok: jsonNamesFile },
        {
          name: 'stored state unchanged by the refused starts',
          value: storedAfter === storedBefore,
          bound: 'true',
          ok: storedAfter === storedBefore,
        },
      ],
      notes: [
        `env error: ${envFailure
          .split('\n')
          .filter((l) => /ADAPTIVE_POLLING_(MIN|MAX)_INTERVAL/.test(l))
          .slice(0, 2)
          .join(' | ')
          .trim()}`,
        `system.json error: ${
          jsonFailure
            .split('\n')
            .find((l) => l.includes('system.json'))
            ?.trim() ?? '(none)'
        }`,
      ],
    };
  });
}
