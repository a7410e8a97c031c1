import { DelayedError, type Job, type Queue } from 'bullmq';
import { backoffDelayMs } from '../core/backoff';
import { parkStalledTarget } from '../core/dead-letter';
import { describeError, redactSecrets } from '../core/redact';
import { beginPoll, decide } from '../core/decide';
import { changeHashOf } from '../core/change-signal';
import { optionsForType } from '../core/options';
import { applyOperatorAction } from '../core/operator-actions';
import { decodeQueuedAction } from './queued-action';
import { initialTargetState } from '../core/target-state';
import { targetKey, type TargetDefinition } from '../core/target';
import type {
  Clock,
  FailureClassifier,
  PollOutcome,
  RandomSource,
  ResolvedPollingOptions,
  TargetPollState,
  TypePollingOptions,
} from '../core/types';
import type { PolicyRegistry } from '../core/policies/registry';
import type { EngineErrorStage, EngineEventMap, EngineEvents, TargetRef } from './engine-events';
import { jobKeyOf, moveToDelayedWithData, stallRecoveriesOf } from './bullmq-internals';
import type { PollHandler } from './poll-handler';
import { PollShutdownError } from './poll-handler';
import { runWithTimeout } from './run-with-timeout';
import type { TargetStore } from './target-store';
import { hasPendingActionsMark, type OperatorQueue, type WaitingActions } from './operator-queue';
import { encodeJobData, targetStateFromJobData, type PollJobData } from './job-state-codec';
import type { FleetAggregates } from './fleet-aggregates';

export type { PollJobData } from './job-state-codec';

/** A paused target's job waits here until resumed (about 10 years). */
export const PAUSED_DELAY_MS = 10 * 365 * 24 * 3600 * 1000;

export interface PollProcessorDeps {
  targets: TargetStore;
  operatorQueue: OperatorQueue;
  handlers: ReadonlyMap<string, PollHandler>;
  options: ResolvedPollingOptions;
  policies: PolicyRegistry;
  classifier: FailureClassifier | undefined;
  events: EngineEvents;
  clock: Clock;
  random: RandomSource;
  /** Current backlog factor (1 = none), measured by the engine. */
  backlog: () => number;
  /** Fires when this process shuts down; running polls are aborted. */
  shutdown: AbortSignal;
  /** The queue the jobs belong to (it writes the reschedule). */
  queue: Queue;
  /** Stall recoveries in a row that park a target (reason `stalled`). */
  maxStallRecoveries: number;
  /** Fleet figures written after each commit. */
  aggregates: Pick<FleetAggregates, 'record' | 'forget'>;
  /** Moves a job that sits outside its target's shard (true: moved, the run ends without polling). */
  rehome?: (job: Job<PollJobData>) => Promise<boolean>;
}

const NO_ACTIONS: WaitingActions = Object.freeze({ actions: [], more: false });

/** What one run decided: written in one commit, its events sent only once the write landed. */
interface RunVerdict {
  state: TargetPollState | null;
  nextRunAtMs: number;
  now: number;
  /** More operator actions wait: run again at once. */
  runAgain: boolean;
  events: Array<() => void>;
}

/** What a run knows so far: an error at any stage is handled from here. */
interface RunProgress {
  stage: EngineErrorStage;
  ref: TargetRef | null;
  /** The definition the run read (for the fleet aggregates). */
  def: TargetDefinition | null;
  options: TypePollingOptions | null;
  state: TargetPollState | null;
  runAgain: boolean;
  pollStarted: boolean;
  /** How many queued actions `state` holds, applied (the commit takes them off the list); null: none were read. */
  actionsTaken: number | null;
}

/**
 * The hot path: one run of one target's job. It applies pending operator
 * actions, asks the core whether the poll may run, runs the poller with its
 * timeout, asks the core for the decision, and writes the new state together
 * with the next run in one Lua call, so the state every replica reads and the
 * schedule never disagree. Every branch yields a verdict; `commit` is the one
 * exit. An unexpected error anywhere reschedules the target at its backoff
 * (recorded in its state and reported as `engine:error`): a poll job never
 * lands in BullMQ's failed set.
 */
export class PollProcessor {
  /** Options per type: resolved options never change, and optionsForType copies them. */
  private readonly typeOptions = new Map<string, TypePollingOptions>();

  constructor(private readonly deps: PollProcessorDeps) {}

  private optionsOf(type: string): TypePollingOptions {
    let options = this.typeOptions.get(type);
    if (!options) {
      options = optionsForType(this.deps.options, type);
      this.typeOptions.set(type, options);
    }
    return options;
  }

  async process(job: Job<PollJobData>, token: string | undefined): Promise<void> {
    const progress: RunProgress = {
      stage: 'operator_actions',
      ref: null,
      def: null,
      options: null,
      state: null,
      runAgain: false,
      pollStarted: false,
      actionsTaken: null,
    };
    if (await this.movedHome(job, progress)) return;
    let verdict: RunVerdict | null;
    let failure: { error: unknown; stage: EngineErrorStage } | null = null;
    try {
      verdict = await this.run(job, progress);
    } catch (error) {
      failure = { error, stage: progress.stage };
      verdict = this.afterError(job, progress, error);
    }
    // null: the target was removed, and completing the job removes it.
    if (verdict !== null) await this.commit(job, token, verdict, progress, failure);
  }

  private async run(job: Job<PollJobData>, progress: RunProgress): Promise<RunVerdict | null> {
    const { key } = job.data;
    const events: Array<() => void> = [];
    // Held until the commit: an event never tells of a decision that was not stored.
    const send = this.deps.events.emit.bind(this.deps.events) as <K extends keyof EngineEventMap>(
      name: K,
      ...args: EngineEventMap[K]
    ) => boolean;
    const emit = <K extends keyof EngineEventMap>(name: K, ...args: EngineEventMap[K]): void => {
      events.push(() => send(name, ...args));
    };
    // The list is read only when the job carries the pending-actions mark (set with every
    // queued action, cleared by the commit that takes the last of them off the list).
    const marked = hasPendingActionsMark(job.progress);
    const waiting = marked ? await this.deps.operatorQueue.peek(key) : NO_ACTIONS;
    const pending = waiting.actions;
    // More than one batch waits: run again at once for the rest.
    const runAgain = (progress.runAgain = waiting.more);
    progress.stage = 'read_target';
    // After an operator touched the target, read its definition fresh: the
    // change may have been made on another replica a moment ago.
    const def =
      pending.length > 0 ? await this.deps.targets.fetch(key) : (this.deps.targets.get(key) ?? (await this.deps.targets.fetch(key)));
    if (!def) {
      // Removed: out of the fleet figures too (a commit that raced the removal may have put it back;
      // a failed write is left to the housekeeping repair).
      await this.deps.aggregates.forget(key, this.deps.clock()).catch(() => undefined);
      return null;
    }
    progress.stage = 'decide';
    const ref: TargetRef = { key, type: def.type, name: def.name };
    const options = this.optionsOf(def.type);
    progress.ref = ref;
    progress.def = def;
    progress.options = options;
    let now = this.deps.clock();
    let state = (progress.state = this.readState(job.data, def, now));
    const verdict = (s: TargetPollState, nextRunAtMs: number, at: number): RunVerdict => ({
      state: s,
      nextRunAtMs,
      now: at,
      runAgain,
      events,
    });

    for (const raw of pending) {
      const queued = decodeQueuedAction(raw, now);
      // 'refresh' (or unknown): the fresh read above was the point.
      if (!queued || queued.action === 'refresh') continue;
      const before = state;
      state = progress.state = applyOperatorAction(state, queued.action, now, options).state;
      // What this run applied, to the state it found: the audit trail's truth.
      emit('operator:applied', {
        ...ref,
        action: queued.action,
        before,
        after: state,
        atMs: now,
        actor: queued.actor,
        askedAtMs: queued.askedAtMs,
        paused: def.paused,
      });
    }
    // Every one is in `state` now: the commit that stores it takes them off the list.
    if (marked) progress.actionsTaken = pending.length;

    if (def.paused) {
      emit('poll:skipped', { ...ref, reason: 'paused' });
      return verdict(state, now + PAUSED_DELAY_MS, now);
    }

    // BullMQ handed this run back after its process died mid-poll, too often in a row: park it.
    const stalled = parkStalledTarget(state, stallRecoveriesOf(job), this.deps.maxStallRecoveries, now, options.deadLetter);
    if (stalled) {
      for (const event of stalled.events) emit('transition', { ...ref, event, state: stalled.state });
      return verdict(stalled.state, stalled.state.nextRunAtMs ?? now + options.intervals.baseMs, now);
    }

    // Resumed: the far-off next run the pause set no longer applies; due now.
    if (state.nextRunAtMs !== null && state.nextRunAtMs - now >= PAUSED_DELAY_MS / 2) {
      state = { ...state, nextRunAtMs: now };
    }

    // A run started only to apply operator actions polls only if the target
    // is due now (a reset or a dead-letter retry makes it due; a purge or an
    // update does not).
    if (pending.length > 0 && state.nextRunAtMs !== null && state.nextRunAtMs > now) {
      return verdict(state, state.nextRunAtMs, now);
    }

    const begin = beginPoll(state, now);
    for (const event of begin.events) emit('transition', { ...ref, event, state: begin.state });
    if (!begin.allowed) {
      emit('poll:skipped', { ...ref, reason: begin.reason });
      const next = begin.state.nextRunAtMs ?? now + options.intervals.baseMs;
      return verdict(begin.state, Math.max(next, now), now);
    }
    state = progress.state = begin.state;

    const handler = this.deps.handlers.get(def.type);
    const waitMs = Math.max(0, now - job.data.dueAtMs);
    // Sent at once (not after the commit): in-flight gauges need the start.
    // Literals, not `{ ...ref }`: these two run on every poll.
    this.deps.events.emit('poll:started', { key, type: ref.type, name: ref.name, waitMs });
    progress.pollStarted = true;
    progress.stage = 'poll';
    const startedAt = this.deps.clock();
    let outcome: PollOutcome;
    try {
      if (!handler) throw new Error(`no poller is registered for type "${def.type}"`);
      const result = await runWithTimeout(
        (abort) =>
          handler({
            target: {
              key,
              name: def.name,
              type: def.type,
              displayName: def.displayName,
              connection: def.connection,
              metadata: def.metadata,
            },
            // A getter: the AbortController is made only if the poller uses it.
            get signal() {
              return abort.signal;
            },
            attempt: state.consecutiveFailures + 1,
            previousResultHash: state.lastResultHash,
            breakerState: state.breaker.state,
          }),
        options.pollTimeoutMs,
        this.deps.shutdown,
      );
      outcome = {
        kind: 'success',
        resultHash: changeHashOf(result),
        durationMs: this.deps.clock() - startedAt,
        generation: begin.generation,
      };
    } catch (error) {
      if (error instanceof PollShutdownError) {
        // Not the target's fault: leave its state alone and hand the poll
        // back to the queue at once, for another replica (or our restart).
        emit('poll:skipped', { ...ref, reason: 'shutdown' });
        const at = this.deps.clock();
        return verdict(state, at, at);
      }
      outcome = { kind: 'failure', error, durationMs: this.deps.clock() - startedAt, generation: begin.generation };
    }

    progress.stage = 'decide';
    now = this.deps.clock();
    const decision = decide({
      state,
      outcome,
      now,
      options,
      policy: this.deps.policies.get(options.enabled ? options.policy : 'fixed'),
      random: this.deps.random,
      backlog: this.deps.backlog(),
      fixedIntervalMs: def.fixedIntervalMs,
      classifier: this.deps.classifier,
    });
    emit('poll:finished', {
      key,
      type: ref.type,
      name: ref.name,
      success: outcome.kind === 'success',
      durationMs: outcome.durationMs,
      changed: decision.changed,
      failure: decision.failure,
      decision,
    });
    for (const event of decision.events) emit('transition', { ...ref, event, state: decision.state });
    return verdict(decision.state, decision.nextRunAtMs, now);
  }

  /**
   * An unexpected error (a policy or classifier that throws, Redis failing
   * mid-run): the target keeps its job, due again at its backoff, with the
   * error in its state. Its events so far are dropped: they described a run
   * that did not complete.
   */
  private afterError(job: Job<PollJobData>, progress: RunProgress, error: unknown): RunVerdict {
    const now = this.deps.clock();
    const options = progress.options ?? this.deps.options;
    const known = progress.state ?? targetStateFromJobData(job.data);
    const step = known?.consecutiveFailures ?? 0;
    const delayMs = backoffDelayMs(step, options.backoff, options.intervals.maxMs, this.deps.random);
    const state: TargetPollState | null = known && {
      ...known,
      lastError: { message: engineErrorMessage(progress.stage, error), kind: 'transient', category: 'unknown', atMs: now },
    };
    return { state, nextRunAtMs: now + delayMs, now, runAgain: progress.runAgain, events: [] };
  }

  private readState(data: PollJobData, def: TargetDefinition, now: number): TargetPollState {
    return targetStateFromJobData(data) ?? initialTargetState(optionsForType(this.deps.options, def.type), now);
  }

  /**
   * The one exit of a run: writes state and next run atomically, then sends
   * the run's events (only now that the write has landed), then ends the run
   * with BullMQ's DelayedError (the job is not completed: it lives on,
   * delayed). A write that fails (the lock was lost, Redis failed) sends no
   * event: the job stays locked until BullMQ's stalled check hands it back.
   */
  private async commit(
    job: Job<PollJobData>,
    token: string | undefined,
    verdict: RunVerdict,
    progress: RunProgress,
    failure: { error: unknown; stage: EngineErrorStage } | null,
  ): Promise<never> {
    const { key } = job.data;
    const state = verdict.state && { ...verdict.state, nextRunAtMs: verdict.nextRunAtMs };
    const data = encodeJobData(key, verdict.nextRunAtMs, state);
    let written = false;
    try {
      // The pending-actions mark (in `progress`) is left alone: only the acknowledgement below clears it.
      await moveToDelayedWithData(this.deps.queue, job.id as string, verdict.now, verdict.nextRunAtMs, token ?? '0', data);
      written = true;
    } catch (error) {
      this.report(job, progress, 'commit', error);
    }
    if (written && progress.actionsTaken !== null) {
      // A failure here leaves the actions queued: the next run applies them again (each is safe to repeat).
      await this.deps.operatorQueue
        .ack(key, jobKeyOf(this.deps.queue, job.id as string), progress.actionsTaken)
        .catch((error: unknown) => this.report(job, progress, 'operator_actions', error));
    }
    if (written) {
      // Beside the job, not in its script (other cluster slots). A failure or a crash right here
      // leaves the old figures until the next run or the housekeeping repair (fleet-aggregates.ts).
      if (progress.def) await this.deps.aggregates.record(progress.def, state, verdict.now).catch(() => undefined);
      for (const send of verdict.events) send();
      if (failure) this.report(job, progress, failure.stage, failure.error);
      if (verdict.runAgain) await job.promote().catch(() => undefined);
    }
    throw new DelayedError();
  }

  /** True when the job sat outside its shard and was moved home (the run ends there). A failed move is reported, and this run polls where the job is; its next run tries again. */
  private async movedHome(job: Job<PollJobData>, progress: RunProgress): Promise<boolean> {
    if (!this.deps.rehome) return false;
    try {
      return await this.deps.rehome(job);
    } catch (error) {
      this.report(job, progress, 'rehome', error);
      return false;
    }
  }

  private report(job: Job<PollJobData>, progress: RunProgress, stage: EngineErrorStage, error: unknown): void {
    const ref = progress.ref ?? { key: job.data.key, type: 'unknown', name: job.data.key };
    this.deps.events.emit('engine:error', {
      ...ref,
      stage,
      message: engineErrorMessage(stage, error),
      pollStarted: progress.pollStarted,
    });
  }
}

function engineErrorMessage(stage: EngineErrorStage, error: unknown): string {
  return redactSecrets(`engine error at ${stage}: ${describeError(error)}`);
}

export function targetRefOf(def: TargetDefinition): TargetRef {
  return { key: targetKey(def), type: def.type, name: def.name };
}
