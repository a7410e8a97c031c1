import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { applyOperatorAction, type OperatorAction } from '../../core/operator-actions';
import { optionsForType } from '../../core/options';
import { redactSecrets } from '../../core/redact';
import { targetKey } from '../../core/target';
import { initialTargetState } from '../../core/target-state';
import type { TargetPollState } from '../../core/types';
import { TargetNotFoundError } from '../../engine/engine-errors';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { AuditTrailService } from '../audit/audit-trail.service';
import { PollingEngineHost } from '../polling-engine.host';
import { notDeadLettered, targetNotFound } from './api-messages';
import { withHttpErrors } from './engine-http-errors';
import type {
  ManagementAction,
  RetryAllResult,
  TargetActionResult,
  TargetStateSummary,
} from './monitoring-actions.types';
import { compareText, isoOrNull } from './scheduler-health.builder';
import { SchedulerHealthService } from './scheduler-health.service';

/** Secret-free summary of a target's state for responses and audit records. */
export function summarizeTargetState(state: TargetPollState, paused: boolean): TargetStateSummary {
  const dead = state.deadLetter;
  return {
    paused,
    breaker: {
      state: state.breaker.state,
      failures: state.breaker.failures,
      generation: state.breaker.generation,
      retryAt: isoOrNull(state.breaker.retryAtMs),
    },
    deadLetter: dead
      ? {
          reason: dead.reason,
          retryAt: isoOrNull(dead.retryAtMs),
          failures: dead.failures,
          lastError: redactSecrets(dead.lastError),
        }
      : null,
    consecutiveFailures: state.consecutiveFailures,
    nextRun: paused ? null : isoOrNull(state.nextRunAtMs),
  };
}

/** A resumed target is due at once, unless its breaker or dead-letter entry holds it longer. */
function resumedNextRun(state: TargetPollState, now: number): number {
  let next = now;
  if (state.deadLetter) next = Math.max(next, state.deadLetter.retryAtMs);
  if (state.breaker.state === 'open' && state.breaker.retryAtMs !== null) next = Math.max(next, state.breaker.retryAtMs);
  return next;
}

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

  /** Retries every dead-lettered target now (one audit record for the batch). */
  async retryAllDeadLetters(actor: string): Promise<RetryAllResult> {
    const { engine } = this.host;
    const now = this.now();
    const parked = (await engine.snapshots())
      .filter((snap) => snap.state?.deadLetter)
      .sort((a, b) => compareText(targetKey(a.definition), targetKey(b.definition)));
    const results: RetryAllResult['results'] = [];
    for (const snap of parked) {
      const key = targetKey(snap.definition);
      const { before, after } = this.predict(snap, snap.state!, 'retry_dead_letter', now);
      try {
        await engine.applyAction(key, 'retry_dead_letter');
      } catch (error) {
        // Removed since the read: nothing left to retry for it.
        if (error instanceof TargetNotFoundError) continue;
        throw error;
      }
      results.push({ instance: key, before, after });
    }
    const at = new Date(now).toISOString();
    this.audit.record({
      atMs: now,
      actor,
      action: 'dlq.retry_all',
      target: null,
      before: Object.fromEntries(results.map((r) => [r.instance, r.before])),
      after: Object.fromEntries(results.map((r) => [r.instance, r.after])),
      detail: { via: 'api', count: results.length, targets: results.map((r) => r.instance) },
    });
    this.health.invalidate();
    return { action: 'dlq.retry_all', actor, at, count: results.length, results };
  }

  pause(key: string, actor: string): Promise<TargetActionResult> {
    return this.pauseAction(key, true, actor);
  }

  resume(key: string, actor: string): Promise<TargetActionResult> {
    return this.pauseAction(key, false, actor);
  }

  private async stateAction(key: string, operatorAction: OperatorAction, actor: string): Promise<TargetActionResult> {
    const snap = await this.requireSnapshot(key);
    const now = this.now();
    const state = snap.state ?? initialTargetState(this.optionsOf(snap), now);
    if (operatorAction !== 'reset_breaker' && state.deadLetter === null) {
      throw new ConflictException(notDeadLettered(key, operatorAction === 'retry_dead_letter' ? 'retry' : 'purge'));
    }
    const { before, after } = this.predict(snap, state, operatorAction, now);
    await withHttpErrors(() => this.host.engine.applyAction(key, operatorAction));
    return this.done(ACTION_OF[operatorAction], key, actor, now, before, after, { operatorAction });
  }

  private async pauseAction(key: string, paused: boolean, actor: string): Promise<TargetActionResult> {
    const snap = await this.requireSnapshot(key);
    const now = this.now();
    const state = snap.state ?? initialTargetState(this.optionsOf(snap), now);
    const before = summarizeTargetState(state, snap.definition.paused);
    const after = summarizeTargetState(paused ? state : { ...state, nextRunAtMs: resumedNextRun(state, now) }, paused);
    await withHttpErrors(() => this.host.engine.setPaused(key, paused));
    return this.done(paused ? 'target.pause' : 'target.resume', key, actor, now, before, after, {
      wasPaused: snap.definition.paused,
    });
  }

  private predict(
    snap: TargetSnapshot,
    state: TargetPollState,
    action: OperatorAction,
    now: number,
  ): { before: TargetStateSummary; after: TargetStateSummary } {
    const next = applyOperatorAction(state, action, now, this.optionsOf(snap)).state;
    return {
      before: summarizeTargetState(state, snap.definition.paused),
      after: summarizeTargetState(next, snap.definition.paused),
    };
  }

  private done(
    action: ManagementAction,
    key: string,
    actor: string,
    now: number,
    before: TargetStateSummary,
    after: TargetStateSummary,
    detail: Record<string, unknown>,
  ): TargetActionResult {
    this.audit.record({ atMs: now, actor, action, target: key, before, after, detail: { via: 'api', ...detail } });
    this.health.invalidate();
    return { action, instance: key, actor, at: new Date(now).toISOString(), before, after };
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
