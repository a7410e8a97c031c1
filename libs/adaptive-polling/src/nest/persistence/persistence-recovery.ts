import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { optionsForType } from '../../core/options';
import { parseTargetKey, targetKey, type TargetDefinition } from '../../core/target';
import type { TargetPollState } from '../../core/types';
import { type PollingEngineHost, type StateRecoverySource } from '../polling-engine.host';
import { DatabaseConnection } from './database-connection';
import { DeadLetterEntryEntity } from './entities/dead-letter-entry.entity';
import { RuntimeTargetEntity } from './entities/runtime-target.entity';
import { ADAPTIVE_POLLING_DATA_SOURCE } from './persistence.constants';
import { persistenceMessages } from './persistence-messages';
import { definitionFromRow, stateFromDeadLetterRow } from './persistence-rows';
import { PersistenceWriter } from './persistence-writer';
import { PollingModuleRefs } from '../polling-module-refs';

/**
 * What the database gives back to the engine: run-time targets at start-up
 * (so they are registered again even when Redis is empty), and the dead
 * letter of any target whose job is re-created, so a target parked before
 * Redis lost its data stays parked until its retry time.
 */
@Injectable()
export class PersistenceRecovery implements StateRecoverySource, OnModuleInit {
  private readonly logger = new Logger('AdaptivePollingPersistence');

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  constructor(
    private readonly refs: PollingModuleRefs,
    private readonly connection: DatabaseConnection,
    private readonly writer: PersistenceWriter,
    @InjectRepository(DeadLetterEntryEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly deadLetters: Repository<DeadLetterEntryEntity>,
    @InjectRepository(RuntimeTargetEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly targets: Repository<RuntimeTargetEntity>,
  ) {}

  onModuleInit(): void {
    this.host.setStateRecovery(this);
    this.host.addTargetSource(() => this.runtimeTargets());
  }

  async recoverState(key: string): Promise<TargetPollState | null> {
    const now = this.host.config.clock();
    const type = parseTargetKey(key)?.type ?? '';
    const options = optionsForType(this.host.config.polling, type);
    // A dead letter not written yet is newer than the database's.
    const pending = this.writer.pendingState('dead_letter', key);
    if (pending?.table === 'dead_letter') {
      return pending.op === 'upsert' ? stateFromDeadLetterRow(pending.row, options, now) : null;
    }
    if (!this.connection.ready) return null;
    try {
      const row = await this.deadLetters.findOneBy({ scope: this.writer.scope, targetKey: key });
      return row ? stateFromDeadLetterRow(row, options, now) : null;
    } catch (error) {
      this.logger.warn(persistenceMessages.recoveryUnavailable(key, this.connection.recordError(error)));
      return null;
    }
  }

  /** Stored run-time targets whose type has a poller; others are skipped with a warning. */
  async runtimeTargets(): Promise<TargetDefinition[]> {
    if (!this.connection.ready) {
      this.logger.warn(persistenceMessages.targetsUnavailable(this.connection.lastError ?? 'database not connected'));
      return [];
    }
    let rows: RuntimeTargetEntity[];
    try {
      rows = await this.targets.find({ where: { scope: this.writer.scope }, order: { targetKey: 'ASC' } });
    } catch (error) {
      this.logger.warn(persistenceMessages.targetsUnavailable(this.connection.recordError(error)));
      return [];
    }
    // Called by the host after discovery filled the engine's pollers; knownTypes() lists them ("a, b").
    const known = new Set(this.host.engine.knownTypes().split(', '));
    const out: TargetDefinition[] = [];
    for (const row of rows) {
      const def = definitionFromRow(row);
      if (!def || targetKey(def) !== row.targetKey) {
        this.logger.warn(`persistence: stored run-time target "${row.targetKey}" is not a valid target; skipped`);
      } else if (!known.has(def.type)) {
        this.logger.warn(
          `persistence: stored run-time target "${row.targetKey}" has type "${def.type}", which no @Poller handles; skipped`,
        );
      } else {
        out.push(def);
      }
    }
    return out;
  }
}
