import { DelayedError, type Job } from 'bullmq';
import { beginPoll, decide } from '../core/decide';
import { changeHashOf } from '../core/change-signal';
import { optionsForType } from '../core/options';
import { applyOperatorAction, isOperatorAction } from '../core/operator-actions';
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
import type { EngineEvents, TargetRef } from './engine-events';
import type { PollHandler } from './poll-handler';
import { PollShutdownError } from './poll-handler';
import { runWithTimeout } from './run-with-timeout';
import type { TargetStore } from './target-store';
import { hasPendingActionsMark, type DrainedActions, type OperatorQueue } from './operator-queue';
import { encodeJobData, targetStateFromJobData, type PollJobData } from './job-state-codec';

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
}

const NOTHING_DRAINED: DrainedActions = Object.freeze({ actions: [], more: false }) as DrainedActions;

type DelayOptions = { skipAttempt: boolean; fieldsToUpdate: Record<string, string | number> };

/** BullMQ keeps the lock-checked reschedule on its (protected) backend. */
interface DelayingBackend {
  moveToDelayed(jobId: string, timestamp: number, delay: number, token: string, opts: DelayOptions): Promise<unknown>;
}

/**
 * The hot path: one run of one target's job. It applies pending operator
 * actions, asks the core whether the poll may run, runs the poller with its
 * timeout, asks the core for the decision, and writes the new state together
 * with the next run in one Lua call (BullMQ's lock-checked moveToDelayed with
 * the job data as a field to update), so the state every replica reads and
 * the schedule never disagree.
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
    const { key } = job.data;
    // The list is read only when the job carries the pending-actions mark
    // (set with every queued action and kept until a drain empties the list).
    const drained = hasPendingActionsMark(job.progress)
      ? await this.deps.operatorQueue.drain(key, job.queueQualifiedName + ':' + (job.id as string))
      : NOTHING_DRAINED;
    const pending = drained.actions;
    // More than one batch waits: run again at once for the rest.
    const runAgain = drained.more;
    // After an operator touched the target, read its definition fresh: the
    // change may have been made on another replica a moment ago.
    const def =
      pending.length > 0
        ? await this.deps.targets.fetch(key)
        : (this.deps.targets.get(key) ?? (await this.deps.targets.fetch(key)));
    if (!def) return; // target removed: completing the job removes it
    const ref: TargetRef = { key, type: def.type, name: def.name };
    const options = this.optionsOf(def.type);
    let now = this.deps.clock();
    let state = this.readState(job.data, def, now);

    for (const raw of pending) {
      if (!isOperatorAction(raw)) continue; // e.g. 'refresh': the fresh read above was the point
      const before = state;
      state = applyOperatorAction(state, raw, now, options).state;
      this.deps.events.emit('operator:applied', { ...ref, action: raw, before, after: state, atMs: now });
    }

    if (def.paused) {
      this.deps.events.emit('poll:skipped', { ...ref, reason: 'paused' });
      await this.reschedule(job, token, runAgain, state, now + PAUSED_DELAY_MS, now);
    }

    // Resumed: the far-off next run the pause set no longer applies; due now.
    if (state.nextRunAtMs !== null && state.nextRunAtMs - now >= PAUSED_DELAY_MS / 2) {
      state = { ...state, nextRunAtMs: now };
    }

    // A run started only to apply operator actions polls only if the target
    // is due now (a reset or a dead-letter retry makes it due; a purge or an
    // update does not).
    if (pending.length > 0 && state.nextRunAtMs !== null && state.nextRunAtMs > now) {
      await this.reschedule(job, token, runAgain, state, state.nextRunAtMs, now);
    }

    const begin = beginPoll(state, now);
    for (const event of begin.events) this.deps.events.emit('transition', { ...ref, event, state: begin.state });
    if (!begin.allowed) {
      this.deps.events.emit('poll:skipped', { ...ref, reason: begin.reason });
      const next = begin.state.nextRunAtMs ?? now + options.intervals.baseMs;
      await this.reschedule(job, token, runAgain, begin.state, Math.max(next, now), now);
    }
    state = begin.state;

    const handler = this.deps.handlers.get(def.type);
    const waitMs = Math.max(0, now - job.data.dueAtMs);
    // Literals, not `{ ...ref }`: these two run on every poll.
    this.deps.events.emit('poll:started', { key, type: ref.type, name: ref.name, waitMs });
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
        this.deps.events.emit('poll:skipped', { ...ref, reason: 'shutdown' });
        await this.reschedule(job, token, runAgain, state, this.deps.clock(), this.deps.clock());
      }
      outcome = { kind: 'failure', error, durationMs: this.deps.clock() - startedAt, generation: begin.generation };
    }

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
    this.deps.events.emit('poll:finished', {
      key,
      type: ref.type,
      name: ref.name,
      success: outcome.kind === 'success',
      durationMs: outcome.durationMs,
      changed: decision.changed,
      failure: decision.failure,
      decision,
    });
    for (const event of decision.events) this.deps.events.emit('transition', { ...ref, event, state: decision.state });
    await this.reschedule(job, token, runAgain, decision.state, decision.nextRunAtMs, now);
  }

  private readState(data: PollJobData, def: TargetDefinition, now: number): TargetPollState {
    return targetStateFromJobData(data) ?? initialTargetState(optionsForType(this.deps.options, def.type), now);
  }

  /**
   * Writes state and next run atomically, then ends this run with BullMQ's
   * DelayedError (the job is not completed: it lives on, delayed). Resetting
   * the stalled counter keeps a long-lived job from being failed after a
   * few crash recoveries over its lifetime.
   */
  private async reschedule(
    job: Job<PollJobData>,
    token: string | undefined,
    runAgain: boolean,
    state: TargetPollState,
    nextRunAtMs: number,
    now: number,
  ): Promise<never> {
    const data = encodeJobData(job.data.key, nextRunAtMs, { ...state, nextRunAtMs });
    const backend = (job as unknown as { backend: DelayingBackend }).backend;
    // The pending-actions mark (in `progress`) is left alone: only a drain clears it.
    const opts: DelayOptions = { skipAttempt: true, fieldsToUpdate: { data: JSON.stringify(data), stc: 0 } };
    await backend.moveToDelayed(job.id as string, now, Math.max(0, nextRunAtMs - now), token ?? '0', opts);
    if (runAgain) await job.promote().catch(() => undefined);
    throw new DelayedError();
  }
}

export function targetRefOf(def: TargetDefinition): TargetRef {
  return { key: targetKey(def), type: def.type, name: def.name };
}
