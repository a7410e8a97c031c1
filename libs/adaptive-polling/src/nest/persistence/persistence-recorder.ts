import { describeError } from '../../core/redact';
import { Injectable, Logger, type OnModuleInit, type OnApplicationShutdown } from '@nestjs/common';
import { targetKey, type TargetDefinition } from '../../core/target';
import type { TargetPollState } from '../../core/types';
import type { EngineEventMap } from '../../engine/engine-events';
import type { AuditTrailService } from '../audit/audit-trail.service';
import type { PollingEngineHost } from '../polling-engine.host';
import { auditRow, deadLetterRow, runtimeTargetRow } from './persistence-rows';
import { PersistenceWriter } from './persistence-writer';
import { PollingModuleRefs } from '../polling-module-refs';

type Listener<K extends keyof EngineEventMap> = (...args: EngineEventMap[K]) => void;

/**
 * Turns what happens in this process into buffered database writes: dead
 * letters in and out (also through operator actions), run-time targets
 * added, changed and removed, and every audit record. Listeners only queue
 * (synchronously), so the poll path never waits for the database.
 */
@Injectable()
export class PersistenceRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingPersistence');
  private readonly detachers: Array<() => void> = [];
  private configured = new Map<string, TargetDefinition>();

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  private get audit(): AuditTrailService {
    return this.refs.audit;
  }

  constructor(
    private readonly refs: PollingModuleRefs,
    private readonly writer: PersistenceWriter,
  ) {}

  onModuleInit(): void {
    this.configured = new Map(this.host.config.targets.map((t) => [targetKey(t), t]));
    this.audit.addSink({ record: (record) => this.writer.appendAudit(auditRow(record)) });

    this.listen('transition', ({ key, type, event, state }) => {
      if (event.type === 'dead_letter_in') this.syncDeadLetter(key, type, state);
      else if (event.type === 'dead_letter_out') this.writer.putState({ table: 'dead_letter', op: 'delete', key });
    });
    // Operator actions change the dead letter without a transition event
    // (retry moves its retry time, purge removes it).
    this.listen('operator:applied', ({ key, type, before, after }) => {
      if (before?.deadLetter === after?.deadLetter) return;
      if (after) this.syncDeadLetter(key, type, after);
    });
    this.listen('target:added', ({ key, definition }) => this.saveTarget(key, definition));
    this.listen('target:updated', ({ key, definition }) => this.saveTarget(key, definition));
    this.listen('target:removed', ({ key }) => {
      this.writer.putState({ table: 'runtime_target', op: 'delete', key });
      this.writer.putState({ table: 'dead_letter', op: 'delete', key });
    });
  }

  onApplicationShutdown(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  private now(): number {
    return this.host.config.clock();
  }

  private syncDeadLetter(key: string, type: string, state: TargetPollState): void {
    const row = deadLetterRow(key, type, state, this.now());
    if (row) this.writer.putState({ table: 'dead_letter', op: 'upsert', key, row });
    else this.writer.putState({ table: 'dead_letter', op: 'delete', key });
  }

  /**
   * A target from the module options is stored only while a run-time pause
   * differs from its options (name, type and pause alone, no connection): the
   * options bring the rest back, and the start-up takes the pause from here.
   */
  private saveTarget(key: string, definition: TargetDefinition): void {
    const configured = this.configured.get(key);
    if (configured && definition.paused === configured.paused) {
      this.writer.putState({ table: 'runtime_target', op: 'delete', key });
      return;
    }
    const stored = configured ? { ...configured, connection: {}, metadata: {}, paused: definition.paused } : definition;
    this.writer.putState({ table: 'runtime_target', op: 'upsert', key, row: runtimeTargetRow(key, stored, this.now()) });
  }

  private listen<K extends keyof EngineEventMap>(event: K, listener: Listener<K>): void {
    const events = this.host.engine.events;
    const safe = ((...args: EngineEventMap[K]) => {
      try {
        listener(...args);
      } catch (error) {
        this.logger.warn(`persistence: ${event} not recorded: ${describeError(error)}`);
      }
    }) as Listener<K>;
    (events.on as (e: K, l: Listener<K>) => unknown).call(events, event, safe);
    this.detachers.push(() => (events.off as (e: K, l: Listener<K>) => unknown).call(events, event, safe));
  }
}
