import {
  beginPoll,
  createPolicyRegistry,
  decide,
  initialTargetState,
  optionsForType,
  resolvePollingOptions,
  type IntervalPolicy,
  type PollingOptionsInput,
  type PollOutcome,
  type TargetPollState,
  type TypePollingOptions,
} from '../../../adaptive-polling/src/core';
import { TargetBehaviour } from '../behaviour';
import { expandFleet, type FleetFile, type FleetTarget } from '../fleet-file';
import { derivedStream } from '../rng';
import { MinHeap, type ScheduledRun } from './min-heap';
import { resultHasher, type BodyMode, type ResultHasher } from './result-hash';

/**
 * The virtual-time fleet simulator: every expanded target runs through the
 * polling core exactly as the engine drives it (`beginPoll` before a poll,
 * `decide` after it, next run at `decision.nextRunAtMs`), against the shared
 * behaviour model, in virtual time. No Redis, no sleeping, deterministic per
 * seed.
 *
 * Simplifications, on purpose:
 * - unlimited workers: a poll starts exactly when it is due (backlog 1), so
 *   the figures measure the policy, not a worker pool;
 * - the answer comes `latencyMs` after the poll starts; `decide` runs at that
 *   time (`now` = start + duration) with `durationMs` = latency; a hung
 *   target fails with a TimeoutError after the poll timeout (default 120 s).
 *
 * What a successful poll hashes (and so what counts as a change) is `bodies`
 * (result-hash.ts): by default the realistic Proxmox answer, built at the
 * answer time, through the ready-made poller's change signal.
 */

/** Virtual time 0 of every run (any fixed epoch works; the core only sees differences). */
export const SIMULATION_EPOCH_MS = Date.UTC(2026, 0, 1);

/** The three policies `--policy all` compares, in report order. */
export const DEFAULT_COMPARED_POLICIES = ['fixed', 'pulse', 'change-aware'] as const;

/** The label of a run: the policy, and the body mode when it is not the default. */
export function runLabel(policy: string, bodies: BodyMode = 'signal'): string {
  return bodies === 'signal' ? policy : `${policy} (${bodies})`;
}

export interface SimulationOptions {
  fleet: FleetFile | FleetTarget[];
  /** Length of the run, in hours of virtual time. */
  hours: number;
  seed: number;
  /** Interval policy name (built-in or one of `customPolicies`). */
  policy: string;
  /** Code options for the core (defaults: base 10 s, min 5 s, max 5 min); `policy` above wins. */
  polling?: PollingOptionsInput;
  customPolicies?: readonly IntervalPolicy[];
  /** What a successful poll hashes (default `signal`: realistic bodies through the ready-made change signal). */
  bodies?: BodyMode;
}

/** What happened to one target during a run (the detailed view behind the report). */
export interface TargetRun {
  target: FleetTarget;
  /** Poll start times, ms since simulator start. */
  pollTimesMs: number[];
  failedPolls: number;
  /** Successful polls whose hash differed from the previous successful poll's (the core's `changed`). */
  changedPolls: number;
  /** Data changes in [0, end). */
  changes: number;
  /** Detection latency (ms) of every change seen by a successful poll. */
  detectionsMs: number[];
  /** Changes no successful poll had seen by the end of the run. */
  undetectedChanges: number;
  /** Per down window that ended within the run: time from its end to the first successful poll (ms), null if none came. */
  recoveriesMs: Array<number | null>;
  /** Times the target was parked in the dead-letter queue (ms since start). */
  parkedAtMs: number[];
}

export interface EntryReport {
  /** Targets of this entry. */
  targets: number;
  polls: number;
  changedPolls: number;
  changes: number;
  detectionP50Seconds: number | null;
  detectionP95Seconds: number | null;
  detectionMaxSeconds: number | null;
  failedPolls: number;
  /** Worst time to detect recovery after a down window ended; null if no window ended within the run. */
  recoveryDetectionSeconds: number | null;
}

export interface PolicyRun {
  policy: string;
  bodies: BodyMode;
  /** `runLabel(policy, bodies)`: the run's name in reports. */
  label: string;
  hours: number;
  seed: number;
  options: TypePollingOptions;
  polls: number;
  /** Per fleet entry, in file order. */
  entries: Record<string, EntryReport>;
  /** Per target, in fleet order. */
  targets: TargetRun[];
}

/** Nearest-rank percentile (p in [0, 100]) of an ascending array; null when empty. */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[Math.min(sortedAscending.length, rank) - 1];
}

const round3 = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);

/** Error shapes a real HTTP poller would throw, so the core classifies them as in production. */
function refusedError(target: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED (${target})`), { code: 'ECONNREFUSED' });
}
function httpError(status: number, text: string): Error {
  return Object.assign(new Error(`HTTP ${status} ${text}`), { statusCode: status });
}
function timeoutError(timeoutMs: number): Error {
  const error = new Error(`poll timed out after ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

interface RunningTarget extends ScheduledRun {
  index: number;
  target: FleetTarget;
  behaviour: TargetBehaviour;
  options: TypePollingOptions;
  random: () => number;
  state: TargetPollState;
  run: TargetRun;
  changeTimesMs: number[];
  /** Index of the first change not yet seen by a successful poll. */
  nextUnseenChange: number;
  /** Down-window ends within the run, ascending, and how many were confirmed. */
  recoveryTimesMs: number[];
  nextRecovery: number;
  hashOf: ResultHasher;
}

/** Runs one policy over the fleet for `hours` of virtual time. */
export function simulateFleet(options: SimulationOptions): PolicyRun {
  if (!(options.hours > 0) || !Number.isFinite(options.hours)) throw new RangeError('hours must be a number greater than 0');
  const targets = Array.isArray(options.fleet) ? options.fleet : expandFleet(options.fleet);
  const registry = createPolicyRegistry(options.customPolicies ?? []);
  const policy = registry.get(options.policy);
  const types = [...new Set(targets.map((t) => t.type))];
  const resolved = resolvePollingOptions({
    code: { ...(options.polling ?? {}), policy: options.policy },
    env: {},
    knownTypes: types,
    knownPolicies: registry.names(),
  });
  const endMs = options.hours * 3600 * 1000;
  const bodies = options.bodies ?? 'signal';

  const heap = new MinHeap<RunningTarget>();
  const running: RunningTarget[] = targets.map((target, index) => {
    const typeOptions = optionsForType(resolved, target.type);
    const behaviour = new TargetBehaviour(target, options.seed);
    const changeTimesMs = behaviour.changeTimesUntil(endMs);
    const recoveryTimesMs = behaviour.recoveriesUntil(endMs);
    const state = initialTargetState(typeOptions, SIMULATION_EPOCH_MS);
    return {
      atMs: 0,
      order: index,
      index,
      target,
      behaviour,
      options: typeOptions,
      random: derivedStream(options.seed, target.name, 'core'),
      state,
      changeTimesMs,
      nextUnseenChange: 0,
      recoveryTimesMs,
      nextRecovery: 0,
      hashOf: resultHasher(behaviour, bodies),
      run: {
        target,
        pollTimesMs: [],
        failedPolls: 0,
        changedPolls: 0,
        changes: changeTimesMs.length,
        detectionsMs: [],
        undetectedChanges: 0,
        recoveriesMs: recoveryTimesMs.map(() => null),
        parkedAtMs: [],
      },
    };
  });
  for (const r of running) heap.push(r);

  for (let r = heap.pop(); r !== undefined && r.atMs < endMs; r = heap.pop()) {
    const startMs = r.atMs;
    const begun = beginPoll(r.state, SIMULATION_EPOCH_MS + startMs);
    if (!begun.allowed) {
      r.state = begun.state;
      r.atMs = Math.max(startMs, (begun.state.nextRunAtMs ?? SIMULATION_EPOCH_MS + startMs) - SIMULATION_EPOCH_MS);
      // A gate that does not move time forward would loop forever; the core promises it does.
      if (r.atMs <= startMs) throw new Error(`beginPoll refused ${r.target.name} without a later time`);
      heap.push(r);
      continue;
    }
    r.run.pollTimesMs.push(startMs);
    const answer = r.behaviour.answerAt(startMs);
    let outcome: PollOutcome;
    let endPollMs: number;
    const generation = begun.generation;
    switch (answer.kind) {
      case 'refused':
        endPollMs = startMs;
        outcome = { kind: 'failure', error: refusedError(r.target.name), durationMs: 0, generation };
        break;
      case 'hang':
        endPollMs = startMs + r.options.pollTimeoutMs;
        outcome = { kind: 'failure', error: timeoutError(r.options.pollTimeoutMs), durationMs: r.options.pollTimeoutMs, generation };
        break;
      case 'unauthorized':
      case 'unavailable': {
        const durationMs = Math.min(answer.latencyMs, r.options.pollTimeoutMs);
        endPollMs = startMs + durationMs;
        outcome =
          answer.latencyMs >= r.options.pollTimeoutMs
            ? { kind: 'failure', error: timeoutError(r.options.pollTimeoutMs), durationMs, generation }
            : {
                kind: 'failure',
                error: answer.kind === 'unauthorized' ? httpError(401, 'Unauthorized') : httpError(503, 'Service Unavailable'),
                durationMs,
                generation,
              };
        break;
      }
      case 'ok': {
        if (answer.latencyMs >= r.options.pollTimeoutMs) {
          endPollMs = startMs + r.options.pollTimeoutMs;
          outcome = { kind: 'failure', error: timeoutError(r.options.pollTimeoutMs), durationMs: r.options.pollTimeoutMs, generation };
          break;
        }
        endPollMs = startMs + answer.latencyMs;
        const version = r.behaviour.versionAt(endPollMs);
        outcome = { kind: 'success', resultHash: r.hashOf(version, endPollMs), durationMs: answer.latencyMs, generation };
        observeSuccess(r, endPollMs, version);
        break;
      }
    }
    if (outcome.kind === 'failure') r.run.failedPolls += 1;

    const decision = decide({
      state: begun.state,
      outcome,
      now: SIMULATION_EPOCH_MS + endPollMs,
      options: r.options,
      policy,
      random: r.random,
    });
    if (decision.changed === true) r.run.changedPolls += 1;
    for (const event of decision.events) {
      if (event.type === 'dead_letter_in') r.run.parkedAtMs.push(event.atMs - SIMULATION_EPOCH_MS);
    }
    r.state = decision.state;
    r.atMs = Math.max(endPollMs, decision.nextRunAtMs - SIMULATION_EPOCH_MS);
    heap.push(r);
  }

  for (const r of running) r.run.undetectedChanges = r.changeTimesMs.length - r.nextUnseenChange;

  const entries: Record<string, EntryReport> = {};
  const byEntry = new Map<string, TargetRun[]>();
  for (const r of running) {
    const list = byEntry.get(r.target.entry) ?? [];
    list.push(r.run);
    byEntry.set(r.target.entry, list);
  }
  let polls = 0;
  for (const [entry, runs] of byEntry) {
    const detections = runs.flatMap((t) => t.detectionsMs).sort((a, b) => a - b);
    const recoveries = runs.flatMap((t) => t.recoveriesMs);
    const detectedRecoveries = recoveries.filter((x): x is number => x !== null);
    const entryPolls = runs.reduce((s, t) => s + t.pollTimesMs.length, 0);
    polls += entryPolls;
    entries[entry] = {
      targets: runs.length,
      polls: entryPolls,
      changedPolls: runs.reduce((s, t) => s + t.changedPolls, 0),
      changes: runs.reduce((s, t) => s + t.changes, 0),
      detectionP50Seconds: round3(percentile(detections, 50)),
      detectionP95Seconds: round3(percentile(detections, 95)),
      detectionMaxSeconds: round3(detections.length === 0 ? null : detections[detections.length - 1]),
      failedPolls: runs.reduce((s, t) => s + t.failedPolls, 0),
      recoveryDetectionSeconds: recoveries.length === 0 || detectedRecoveries.length === 0 ? null : round3(Math.max(...detectedRecoveries)),
    };
  }
  return {
    policy: options.policy,
    bodies,
    label: runLabel(options.policy, bodies),
    hours: options.hours,
    seed: options.seed,
    options: optionsForType(resolved, targets[0]?.type ?? 'default'),
    polls,
    entries,
    targets: running.map((r) => r.run),
  };
}

/** A successful poll answered at `atMs` saw data `version`: every change before it is now detected. */
function observeSuccess(r: RunningTarget, atMs: number, version: number): void {
  const seen = Math.min(version, r.changeTimesMs.length);
  for (let k = r.nextUnseenChange; k < seen; k++) r.run.detectionsMs.push(atMs - r.changeTimesMs[k]);
  if (seen > r.nextUnseenChange) r.nextUnseenChange = seen;
  while (r.nextRecovery < r.recoveryTimesMs.length && r.recoveryTimesMs[r.nextRecovery] <= atMs) {
    r.run.recoveriesMs[r.nextRecovery] = atMs - r.recoveryTimesMs[r.nextRecovery];
    r.nextRecovery += 1;
  }
}

export interface SimulationReport {
  policies: Record<string, { polls: number; entries: Record<string, Omit<EntryReport, 'targets'>> }>;
}

/** The `--json` shape: `{"policies":{"<run label>":{"polls":N,"entries":{"<entry>":{...}}}}}`. */
export function toJsonReport(runs: readonly PolicyRun[]): SimulationReport {
  const policies: SimulationReport['policies'] = {};
  for (const run of runs) {
    const entries: Record<string, Omit<EntryReport, 'targets'>> = {};
    for (const [name, e] of Object.entries(run.entries)) {
      entries[name] = {
        polls: e.polls,
        changedPolls: e.changedPolls,
        changes: e.changes,
        detectionP50Seconds: e.detectionP50Seconds,
        detectionP95Seconds: e.detectionP95Seconds,
        detectionMaxSeconds: e.detectionMaxSeconds,
        failedPolls: e.failedPolls,
        recoveryDetectionSeconds: e.recoveryDetectionSeconds,
      };
    }
    policies[run.label] = { polls: run.polls, entries };
  }
  return { policies };
}
