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
  /** `JSON.parse` of the same answers' text alone, CPU ms per answer (the HTTP client's work, not in `nodeCpuMsPerPoll`). */
  jsonParseCpuMs: number;
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
 * `cluster/resources` + `cluster/status` answers (parsed from their JSON text before the
 * window, so they have the shapes the HTTP client's answers have; fetching and parsing
 * is the HTTP client's cost, not the engine's, and `JSON.parse` of the same text is
 * timed alone after the window) with the ready-made PVE change signal, exactly as
 * `PveClusterPoller` is wired (`changeSignal` applied to the result, then the engine
 * hashes the signal). Everything else as the throughput scenario.
 */
export async function realisticPoll(config: RealisticPollConfig): Promise<RealisticPollResult> {
  const model = config.guests > 0 ? new PveBodyModel(1, 'bench-pve', config.guests) : null;
  const texts: string[] = model
    ? Array.from({ length: config.answers }, (_, i) => JSON.stringify(model.snapshotAt(Math.floor(i / 3), i * 10_000)))
    : [];
  const answers = texts.map((text) => JSON.parse(text) as PveSnapshot);
  // What PveClusterPoller passes as `changeSignal`.
  const changeSignal: ChangeSignalFn = (result) => pveChangeSignal(result as PveSnapshot);
  let next = 0;
  let polls = 0;
  const engine = createBenchEngine({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    concurrency: config.concurrency,
    handler: () => (answers.length > 0 ? answers[next++ % answers.length] : null),
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
  if (texts.length === 0) {
    return {
      ...window,
      concurrency: config.concurrency,
      guests: 0,
      resources: 0,
      answerJsonBytes: 0,
      jsonParseCpuMs: 0,
      signalAndHashCpuMs: 0,
      wholeBodyHashCpuMs: 0,
    };
  }
  // Alone, each on an answer parsed right before (not timed), as in the poll.
  const timedOnFreshAnswers = (rounds: number, work: (answer: PveSnapshot) => unknown): number => {
    let total = 0;
    for (let i = 0; i < rounds; i++) {
      const answer = JSON.parse(texts[i % texts.length]) as PveSnapshot;
      const from = process.cpuUsage();
      work(answer);
      total += cpuMs(from);
    }
    return total / rounds;
  };
  const rounds = Math.max(20, 4 * config.answers);
  const signalAndHashCpuMs = timedOnFreshAnswers(rounds, (answer) => changeHashOf(applyChangeSignal(answer, changeSignal)));
  const wholeBodyHashCpuMs = timedOnFreshAnswers(Math.max(5, Math.ceil(rounds / 10)), (answer) => stableHash(answer));
  const parseRounds = Math.max(5, Math.ceil(rounds / 4));
  const from = process.cpuUsage();
  for (let i = 0; i < parseRounds; i++) JSON.parse(texts[i % texts.length]);
  const jsonParseCpuMs = cpuMs(from) / parseRounds;
  return {
    ...window,
    concurrency: config.concurrency,
    guests: config.guests,
    resources: answers[0].resources.length,
    answerJsonBytes: texts[0].length,
    jsonParseCpuMs: round(jsonParseCpuMs, 4) as number,
    signalAndHashCpuMs: round(signalAndHashCpuMs, 4) as number,
    wholeBodyHashCpuMs: round(wholeBodyHashCpuMs, 4) as number,
  };
}
