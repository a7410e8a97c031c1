import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { OperatorAction } from '../../core/operator-actions';
import { optionsForType } from '../../core/options';
import { redactSecrets } from '../../core/redact';
import { targetKey } from '../../core/target';
import { initialTargetState } from '../../core/target-state';
import { TargetNotFoundError } from '../../engine/engine-errors';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { AuditTrailService } from '../audit/audit-trail.service';
import { PollingEngineHost } from '../polling-engine.host';
import { notDeadLettered, targetNotFound } from './api-messages';
import { withHttpErrors } from './engine-http-errors';
import type { ManagementAction, RetryAllResult, TargetActionResult } from './monitoring-actions.types';
import { compareText } from './scheduler-health.builder';
import { SchedulerHealthService } from './scheduler-health.service';
import { resumedNextRun, summarizeTargetState } from '../audit/target-state-summary';
import type { OperatorActionEvent, PauseAppliedEvent } from '../../engine/engine-events';

/** How long an action waits for the run that applies it before answering 202 with the queued action. */
export const APPLIED_WAIT_MS = 5_000;

export { summarizeTargetState } from '../audit/target-state-summary';

const ACTION_OF: Record<OperatorAction, ManagementAction> = {
  reset_breaker: 'breaker.reset',
  retry_dead_letter: 'dlq.retry',
  purge_dead_letter: 'dlq.purge',
};

/**
 * The operator's actions on targets: reset a breaker, retry or purge
 * dead-letter entries, pause and resume. Each is validated (unknown target
 * 404, nothing to retry/purge 409), handed to the engine, and audited with
 * who, what, when and the state before and after.
 */
@Injectable()
export class MonitoringActionsService {
  constructor(
    private readonly host: PollingEngineHost,
    private readonly audit: AuditTrailService,
    private readonly health: SchedulerHealthService,
  ) {}

  resetBreaker(key: string, actor: string): Promise<TargetActionResult> {
    return this.stateAction(key, 'reset_breaker', actor);
  }

  retryDeadLetter(key: string, actor: string): Promise<TargetActionResult> {
    return this.stateAction(key, 'retry_dead_letter', actor);
  }

  purgeDeadLetter(key: string, actor: string): Promise<TargetActionResult> {
    return this.stateAction(key, 'purge_dead_letter', actor);
  }

  /**
   * Queues the retry of every dead-lettered target (one audit record for the
   * batch, written even when it stops midway: what was queued, and the error).
   */
  async retryAllDeadLetters(actor: string): Promise<RetryAllResult> {
    const { engine } = this.host;
    const now = this.now();
    const parked = (await engine.snapshots())
      .filter((snap) => snap.state?.deadLetter)
      .sort((a, b) => compareText(targetKey(a.definition), targetKey(b.definition)));
    const results: RetryAllResult['results'] = [];
    let failure: unknown = null;
    try {
      for (const snap of parked) {
        const key = targetKey(snap.definition);
        try {
          await engine.applyAction(key, 'retry_dead_letter', actor);
        } catch (error) {
          // Removed since the read: nothing left to retry for it.
          if (error instanceof TargetNotFoundError) continue;
          throw error;
        }
        results.push({ instance: key, before: summarizeTargetState(snap.state!, snap.definition.paused) });
      }
    } catch (error) {
      failure = error;
    } finally {
      const error =
        failure === null
          ? undefined
          : redactSecrets(failure instanceof Error ? failure.message : (JSON.stringify(failure) ?? 'unknown error'));
      this.audit.record({
        atMs: now,
        actor,
        action: 'dlq.retry_all',
        target: null,
        before: Object.fromEntries(results.map((r) => [r.instance, r.before])),
        after: null,
        detail: {
          via: 'api',
          count: results.length,
          targets: results.map((r) => r.instance),
          ...(error === undefined ? {} : { error, notQueued: parked.length - results.length }),
        },
      });
      this.health.invalidate();
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the engine threw, unchanged
    if (failure !== null) throw failure;
    return { action: 'dlq.retry_all', actor, at: new Date(now).toISOString(), count: results.length, results };
  }

  pause(key: string, actor: string): Promise<TargetActionResult> {
    return this.pauseAction(key, true, actor);
  }

  resume(key: string, actor: string): Promise<TargetActionResult> {
    return this.pauseAction(key, false, actor);
  }

  /**
   * Queues the action and waits (within APPLIED_WAIT_MS) for the run that
   * applies it: the answer then carries the before/after that run applied
   * (the audit trail records the same, from the engine's event). When the
   * run does not report within the bound (another replica's worker took it,
   * or the target is mid-poll), the answer is the queued action (`applied: false`,
   * HTTP 202); its audit record is written when it is applied.
   */
  private async stateAction(key: string, operatorAction: OperatorAction, actor: string): Promise<TargetActionResult> {
    const snap = await this.requireSnapshot(key);
    const now = this.now();
    const state = snap.state ?? initialTargetState(this.optionsOf(snap), now);
    if (operatorAction !== 'reset_breaker' && state.deadLetter === null) {
      throw new ConflictException(notDeadLettered(key, operatorAction === 'retry_dead_letter' ? 'retry' : 'purge'));
    }
    const applied = this.appliedEvent(key, operatorAction, actor, now);
    try {
      await withHttpErrors(() => this.host.engine.applyAction(key, operatorAction, actor));
      const event = await applied.result;
      this.health.invalidate();
      const action = ACTION_OF[operatorAction];
      if (!event) {
        return { action, instance: key, actor, at: new Date(now).toISOString(), applied: false, before: null, after: null };
      }
      return {
        action,
        instance: key,
        actor,
        at: new Date(event.atMs).toISOString(),
        applied: true,
        before: event.before && summarizeTargetState(event.before, event.paused),
        after: event.after && summarizeTargetState(event.after, event.paused),
      };
    } finally {
      applied.cancel();
    }
  }

  /** The `operator:applied` event of this request (same target, action, actor, asked at or after `sinceMs`), or null after the bound. */
  private appliedEvent(key: string, action: OperatorAction, actor: string, sinceMs: number) {
    const { events } = this.host.engine;
    let cancel = () => undefined as void;
    const result = new Promise<OperatorActionEvent | null>((resolve) => {
      const listener = (e: OperatorActionEvent) => {
        if (e.key !== key || e.action !== action || e.actor !== actor || e.askedAtMs < sinceMs) return;
        cancel();
        resolve(e);
      };
      const timer = setTimeout(() => {
        cancel();
        resolve(null);
      }, APPLIED_WAIT_MS);
      timer.unref();
      events.on('operator:applied', listener);
      cancel = () => {
        clearTimeout(timer);
        events.off('operator:applied', listener);
      };
    });
    return { result, cancel: () => cancel() };
  }

  /** Pause and resume are applied by the registry's compare-and-set: the answer is what it changed. */
  private async pauseAction(key: string, paused: boolean, actor: string): Promise<TargetActionResult> {
    const snap = await this.requireSnapshot(key);
    const now = this.now();
    const state = snap.state ?? initialTargetState(this.optionsOf(snap), now);
    let wasPaused = snap.definition.paused;
    const listener = (e: PauseAppliedEvent) => {
      if (e.key === key && e.actor === actor && e.askedAtMs >= now) wasPaused = e.before;
    };
    this.host.engine.events.on('target:paused', listener);
    try {
      await withHttpErrors(() => this.host.engine.setPaused(key, paused, actor));
    } finally {
      this.host.engine.events.off('target:paused', listener);
    }
    this.health.invalidate();
    const before = summarizeTargetState(state, wasPaused);
    const after = summarizeTargetState(paused ? state : { ...state, nextRunAtMs: resumedNextRun(state, now) }, paused);
    return {
      action: paused ? 'target.pause' : 'target.resume',
      instance: key,
      actor,
      at: new Date(now).toISOString(),
      applied: true,
      before,
      after,
    };
  }

  private async requireSnapshot(key: string): Promise<TargetSnapshot> {
    const snap = await this.host.engine.snapshot(key);
    if (!snap) throw new NotFoundException(targetNotFound(key));
    return snap;
  }

  private optionsOf(snap: TargetSnapshot) {
    return optionsForType(this.host.config.polling, snap.definition.type);
  }

  private now(): number {
    return this.host.config.clock();
  }
}
