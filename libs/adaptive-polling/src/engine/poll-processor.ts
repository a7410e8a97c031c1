import { DelayedError, type Job } from 'bullmq';
import { beginPoll, decide } from '../core/decide';
import { stableHash } from '../core/hash';
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
import { hasPendingActionsMark, type OperatorQueue } from './operator-queue';
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

type DelayOptions = { skipAttempt: boolean; fieldsToUpdate: Record<string, string | number> };

/** BullMQ keeps the lock-checked reschedule on its (protected) backend. */
interface DelayingBackend {
  moveToDelayed(jobId: string, timestamp: number, delay: number, token: string, opts: DelayOptions): Promise<unknown>;
  // What the pipelined reschedule below uses (BullMQ 6's Redis backend);
  // without them the reschedule falls back to two round trips.
  version?: string;
  queue?: { client?: Promise<ScriptClient> };
  moveToDelayedArgs?(jobId: string, timestamp: number, token: string, delay: number, opts: DelayOptions): unknown[];
  finishedErrors?(args: { code: number; jobId: string; command: string; state: string }): Error;
}

/** The worker's ioredis client, with BullMQ's scripts defined on it. */
interface ScriptClient {
  scriptsSet?: Record<string, { sha: string; numberOfKeys?: number | null } | undefined>;
  evalsha(sha: string, numberOfKeys: number, ...args: unknown[]): Promise<unknown>;
  llen(key: string): Promise<number>;
  status?: string;
  /** The connection's socket: corked around the two commands so they leave in one write. */
  stream?: { cork?(): void; uncork?(): void };
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
  /** The worker's script client per backend, resolved once instead of awaited on every poll. */
  private readonly scriptClients = new WeakMap<DelayingBackend, ScriptClient | undefined>();

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
    // (set with every queued action); actions queued while a run was going
    // on are found by that run's reschedule, which marks the job again.
    const pending = hasPendingActionsMark(job.progress) ? await this.deps.operatorQueue.drain(key) : [];
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
      await this.reschedule(job, token, state, now + PAUSED_DELAY_MS, now);
    }

    // Resumed: the far-off next run the pause set no longer applies; due now.
    if (state.nextRunAtMs !== null && state.nextRunAtMs - now >= PAUSED_DELAY_MS / 2) {
      state = { ...state, nextRunAtMs: now };
    }

    // A run started only to apply operator actions polls only if the target
    // is due now (a reset or a dead-letter retry makes it due; a purge or an
    // update does not).
    if (pending.length > 0 && state.nextRunAtMs !== null && state.nextRunAtMs > now) {
      await this.reschedule(job, token, state, state.nextRunAtMs, now);
    }

    const begin = beginPoll(state, now);
    for (const event of begin.events) this.deps.events.emit('transition', { ...ref, event, state: begin.state });
    if (!begin.allowed) {
      this.deps.events.emit('poll:skipped', { ...ref, reason: begin.reason });
      const next = begin.state.nextRunAtMs ?? now + options.intervals.baseMs;
      await this.reschedule(job, token, begin.state, Math.max(next, now), now);
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
        resultHash: stableHash(result),
        durationMs: this.deps.clock() - startedAt,
        generation: begin.generation,
      };
    } catch (error) {
      if (error instanceof PollShutdownError) {
        // Not the target's fault: leave its state alone and hand the poll
        // back to the queue at once, for another replica (or our restart).
        this.deps.events.emit('poll:skipped', { ...ref, reason: 'shutdown' });
        await this.reschedule(job, token, state, this.deps.clock(), this.deps.clock());
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
    await this.reschedule(job, token, decision.state, decision.nextRunAtMs, now);
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
    state: TargetPollState,
    nextRunAtMs: number,
    now: number,
  ): Promise<never> {
    const data = encodeJobData(job.data.key, nextRunAtMs, { ...state, nextRunAtMs });
    const backend = (job as unknown as { backend: DelayingBackend }).backend;
    const opts: DelayOptions = {
      skipAttempt: true,
      // progress 0 clears the pending-actions mark: this run drained the list
      fieldsToUpdate: { data: JSON.stringify(data), stc: 0, progress: 0 },
    };
    const jobId = job.id as string;
    const delay = Math.max(0, nextRunAtMs - now);
    if (await this.moveToDelayedThenHasPendingActions(backend, jobId, now, delay, token ?? '0', opts, job.data.key)) {
      // An operator acted while this poll ran: run again now to apply it.
      await this.deps.operatorQueue.mark(job.queueQualifiedName + ':' + jobId);
      await job.promote().catch(() => undefined);
    }
    throw new DelayedError();
  }

  /**
   * BullMQ's moveToDelayed and the pending-actions check in one round trip:
   * both are written back to back on the worker's connection (the script by
   * its SHA), so Redis runs the check right after the move, exactly as the
   * two awaited calls did. If Redis lost the script (NOSCRIPT), the move did
   * not happen: it is redone the ordinary way (BullMQ reloads the script)
   * and the check runs after it.
   */
  private async moveToDelayedThenHasPendingActions(
    backend: DelayingBackend,
    jobId: string,
    now: number,
    delay: number,
    token: string,
    opts: DelayOptions,
    targetKey: string,
  ): Promise<boolean> {
    const sequential = async () => {
      await backend.moveToDelayed(jobId, now, delay, token, opts);
      return this.deps.operatorQueue.pending(targetKey);
    };
    let client = this.scriptClients.get(backend);
    if (client === undefined && !this.scriptClients.has(backend)) {
      client = backend.version && backend.moveToDelayedArgs && backend.finishedErrors ? await backend.queue?.client : undefined;
      this.scriptClients.set(backend, client);
    }
    const script = client?.scriptsSet?.[`moveToDelayed:${backend.version}`];
    if (!client || !script || typeof script.numberOfKeys !== 'number' || typeof client.evalsha !== 'function') return sequential();
    const args = backend.moveToDelayedArgs!(jobId, now, token, delay, opts);
    const stream = client.status === 'ready' && typeof client.stream?.cork === 'function' ? client.stream : undefined;
    stream?.cork!();
    let moving: Promise<unknown>;
    let length: Promise<number>;
    try {
      moving = client.evalsha(script.sha, script.numberOfKeys, ...args);
      length = client.llen(this.deps.operatorQueue.opsKey(targetKey));
    } finally {
      stream?.uncork!();
    }
    let moved: unknown;
    try {
      moved = await moving;
    } catch (error) {
      length.catch(() => undefined);
      if (error instanceof Error && error.message.includes('NOSCRIPT')) return sequential();
      throw error;
    }
    if (typeof moved === 'number' && moved < 0) {
      length.catch(() => undefined);
      throw backend.finishedErrors!({ code: moved, jobId, command: 'moveToDelayed', state: 'active' });
    }
    return (await length) > 0;
  }
}

export function targetRefOf(def: TargetDefinition): TargetRef {
  return { key: targetKey(def), type: def.type, name: def.name };
}
