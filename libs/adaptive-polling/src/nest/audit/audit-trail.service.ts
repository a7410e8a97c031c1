import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PollingEngineHost } from '../polling-engine.host';
import type { AuditRecord, AuditSink } from './audit-record';

const RECENT_LIMIT = 500;

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
    this.host.engine.events.on('transition', ({ key, event, state }) => {
      const base = { atMs: event.atMs, actor: 'system', target: key, before: null };
      if (event.type === 'breaker_transition') {
        this.record({ ...base, action: 'breaker.transition', after: { breaker: state.breaker }, detail: { from: event.from, to: event.to } });
      } else if (event.type === 'dead_letter_in') {
        this.record({ ...base, action: 'dead_letter.in', after: { deadLetter: state.deadLetter }, detail: { reason: event.reason } });
      } else if (event.type === 'dead_letter_out') {
        this.record({ ...base, action: 'dead_letter.out', after: { deadLetter: null }, detail: { reason: event.reason } });
      }
    });
  }

  addSink(sink: AuditSink): void {
    this.sinks.push(sink);
  }

  record(record: AuditRecord): void {
    this.recentRecords.push(record);
    if (this.recentRecords.length > RECENT_LIMIT) this.recentRecords.shift();
    for (const sink of this.sinks) {
      Promise.resolve()
        .then(() => sink.record(record))
        .catch((error: unknown) =>
          this.logger.warn(`audit sink failed: ${error instanceof Error ? error.message : String(error)}`),
        );
    }
  }

  /** Most recent records, newest last. */
  recent(limit = 100): AuditRecord[] {
    return this.recentRecords.slice(-limit);
  }
}
