import { describeError, redactValue } from '../../core/redact';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PollingEngineHost } from '../polling-engine.host';
import type { OperatorAction } from '../../core/operator-actions';
import { summarizeTargetState } from './target-state-summary';
import type { AuditAction, AuditRecord, AuditSink } from './audit-record';

const OPERATOR_ACTION_AUDIT: Record<OperatorAction, AuditAction> = {
  reset_breaker: 'breaker.reset',
  retry_dead_letter: 'dlq.retry',
  purge_dead_letter: 'dlq.purge',
};

const RECENT_LIMIT = 500;

function timesOf(e: { askedAtMs: number; atMs: number }): { askedAt: string; appliedAt: string } {
  return { askedAt: new Date(e.askedAtMs).toISOString(), appliedAt: new Date(e.atMs).toISOString() };
}

/** API actors are `operator:<name>`; everything else came from the host app's code. */
export function viaOf(actor: string): 'api' | 'code' {
  return actor.startsWith('operator:') ? 'api' : 'code';
}

/**
 * The one audit interface: operator actions and engine transitions go
 * through `record()`, which keeps the most recent in memory and hands each to
 * every sink added (the database sink of the persistence layer, for one).
 */
@Injectable()
export class AuditTrailService implements OnModuleInit {
  private readonly logger = new Logger('AdaptivePollingAudit');
  private readonly sinks: AuditSink[] = [];
  private readonly recentRecords: AuditRecord[] = [];

  constructor(private readonly host: PollingEngineHost) {}

  onModuleInit(): void {
    const { events } = this.host.engine;
    events.on('transition', ({ key, event, state }) => {
      const base = { atMs: event.atMs, actor: 'system', target: key, before: null };
      if (event.type === 'breaker_transition') {
        this.record({
          ...base,
          action: 'breaker.transition',
          after: { breaker: state.breaker },
          detail: { from: event.from, to: event.to },
        });
      } else if (event.type === 'dead_letter_in') {
        this.record({ ...base, action: 'dead_letter.in', after: { deadLetter: state.deadLetter }, detail: { reason: event.reason } });
      } else if (event.type === 'dead_letter_out') {
        this.record({ ...base, action: 'dead_letter.out', after: { deadLetter: null }, detail: { reason: event.reason } });
      }
    });
    // The truth of operator actions: what the run that applied them found and left.
    events.on('operator:applied', (e) => {
      this.record({
        atMs: e.atMs,
        actor: e.actor,
        action: OPERATOR_ACTION_AUDIT[e.action],
        target: e.key,
        before: e.before && summarizeTargetState(e.before, e.paused),
        after: e.after && summarizeTargetState(e.after, e.paused),
        detail: { ...timesOf(e), via: viaOf(e.actor), operatorAction: e.action },
      });
    });
    events.on('target:paused', (e) => {
      this.record({
        atMs: e.atMs,
        actor: e.actor,
        action: e.after ? 'target.pause' : 'target.resume',
        target: e.key,
        before: { paused: e.before },
        after: { paused: e.after },
        detail: { ...timesOf(e), via: viaOf(e.actor) },
      });
    });
    events.on('target:added', (e) => this.registryRecord('target.add', e.key, e.actor, null, { type: e.type, name: e.name }));
    events.on('target:removed', (e) => this.registryRecord('target.remove', e.key, e.actor, { type: e.type, name: e.name }, null));
    events.on('target:updated', (e) => {
      // A pause or resume is audited as such (target:paused); this covers the other edits.
      if (e.pauseOnly) return;
      this.registryRecord('target.update', e.key, e.actor, null, { type: e.type, name: e.name });
    });
  }

  /** Registry changes: the definition's identity only, never its connection details. */
  private registryRecord(action: AuditAction, target: string, actor: string, before: unknown, after: unknown): void {
    this.record({ atMs: this.host.config.clock(), actor, action, target, before, after, detail: { via: viaOf(actor) } });
  }

  addSink(sink: AuditSink): void {
    this.sinks.push(sink);
  }

  record(raw: AuditRecord): void {
    // Every record passes the redaction rules once, before anyone (memory, database, a host's sink) sees it.
    const record: AuditRecord = {
      ...raw,
      before: redactValue(raw.before),
      after: redactValue(raw.after),
      detail: redactValue(raw.detail) as Record<string, unknown>,
    };
    this.recentRecords.push(record);
    if (this.recentRecords.length > RECENT_LIMIT) this.recentRecords.shift();
    for (const sink of this.sinks) {
      Promise.resolve()
        .then(() => sink.record(record))
        .catch((error: unknown) => this.logger.warn(`audit sink failed: ${describeError(error)}`));
    }
  }

  /** Most recent records, newest last. */
  recent(limit = 100): AuditRecord[] {
    return this.recentRecords.slice(-limit);
  }
}
