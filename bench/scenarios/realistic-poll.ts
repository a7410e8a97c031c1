import { applyChangeSignal, changeHashOf, type ChangeSignalFn } from '../../libs/adaptive-polling/src/core/change-signal';
import { stableHash } from '../../libs/adaptive-polling/src/core/hash';
import { pveChangeSignal, type PveSnapshot } from '../../libs/adaptive-polling/src/proxmox/pve';
import { PveBodyModel } from '../../libs/fleet-sim/src/bodies/pve-body';
import { benchTargets, createBenchEngine } from '../lib/engine-factory';
import { log, round } from '../lib/stats';
import { measureWindow, type WindowResult } from '../lib/window';

export interface RealisticPollConfig {
  redisUrl: string;
  queueName: string;
  /**
   * Guests of the simulated PVE cluster (its cluster/resources lists them, nodes and
   * storages); 0: the baseline, a no-op poller without a change signal, as the throughput
   * scenario, measured in the same conditions.
   */
  guests: number;
  /** Distinct answers the poller hands out in turn (each a later answer time, some a new version). */
  answers: number;
  targets: number;
  concurrency: number;
  delayMs: number;
  warmupMs: number;
  measureMs: number;
}

export type RealisticPollResult = WindowResult & {
  concurrency: number;
  guests: number;
  resources: number;
  answerJsonBytes: number;
  /** The ready-made change signal and the engine's hash of it alone, CPU ms per answer (same process, after the window). */
  signalAndHashCpuMs: number;
  /** The engine's hash of the whole answer (a poller without a change signal), CPU ms per answer. */
  wholeBodyHashCpuMs: number;
};

const cpuMs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

/**
 * The engine polling a 1,000-guest PVE cluster: the poller hands out parsed
 * `cluster/resources` + `cluster/status` answers (built before the window; fetching and
 * parsing them is the HTTP client's cost, not the engine's) with the ready-made PVE
 * change signal, exactly as `PveClusterPoller` is wired (`changeSignal` applied to the
 * result, then the engine hashes the signal). Everything else as the throughput scenario.
 */
export async function realisticPoll(config: RealisticPollConfig): Promise<RealisticPollResult> {
  const model = config.guests > 0 ? new PveBodyModel(1, 'bench-pve', config.guests) : null;
  const answers: PveSnapshot[] = model
    ? Array.from({ length: config.answers }, (_, i) => model.snapshotAt(Math.floor(i / 3), i * 10_000))
    : [];
  // What PveClusterPoller passes as `changeSignal`.
  const changeSignal: ChangeSignalFn = (result) => pveChangeSignal(result as PveSnapshot);
  let next = 0;
  let polls = 0;
  const engine = createBenchEngine({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    concurrency: config.concurrency,
    handler: () => (model ? answers[next++ % answers.length] : null),
    changeSignal: model ? changeSignal : undefined,
    polling: { policy: 'fixed', minInterval: '1s', baseInterval: '1s', maxInterval: '20s' },
  });
  engine.events.on('poll:finished', () => {
    polls++;
  });
  await engine.start(benchTargets(config.targets, config.delayMs));
  log(`realistic c=${config.concurrency}: ${config.targets} targets of ${config.guests} guests started`);
  let window: WindowResult;
  try {
    window = await measureWindow(config.redisUrl, () => polls, config.warmupMs, config.measureMs);
  } finally {
    await engine.stop();
  }
  if (answers.length === 0) {
    return {
      ...window,
      concurrency: config.concurrency,
      guests: 0,
      resources: 0,
      answerJsonBytes: 0,
      signalAndHashCpuMs: 0,
      wholeBodyHashCpuMs: 0,
    };
  }
  const rounds = Math.max(20, 4 * config.answers);
  let from = process.cpuUsage();
  for (let i = 0; i < rounds; i++) changeHashOf(applyChangeSignal(answers[i % answers.length], changeSignal));
  const signalAndHashCpuMs = cpuMs(from) / rounds;
  const wholeRounds = Math.max(5, Math.ceil(rounds / 10));
  from = process.cpuUsage();
  for (let i = 0; i < wholeRounds; i++) stableHash(answers[i % answers.length]);
  const wholeBodyHashCpuMs = cpuMs(from) / wholeRounds;
  return {
    ...window,
    concurrency: config.concurrency,
    guests: config.guests,
    resources: answers[0].resources.length,
    answerJsonBytes: JSON.stringify(answers[0]).length,
    signalAndHashCpuMs: round(signalAndHashCpuMs, 4) as number,
    wholeBodyHashCpuMs: round(wholeBodyHashCpuMs, 4) as number,
  };
}
