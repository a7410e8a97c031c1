import { redactSecrets, redactValue } from '../../core/redact';
import { initialTargetState, isTargetPollState } from '../../core/target-state';
import { validateTargetInput, type TargetDefinition } from '../../core/target';
import { DEAD_LETTER_REASONS, type DeadLetterReason, type TargetPollState, type TypePollingOptions } from '../../core/types';
import type { AuditRecord } from '../audit/audit-record';
import type { AuditRecordEntity } from './entities/audit-record.entity';
import type { AuditRow, DeadLetterRow, RuntimeTargetRow } from './persistence-writes';

/** Conversions between engine values and database rows. Pure. */

const MAX_ACTOR_LENGTH = 200;

function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return redactSecrets(JSON.stringify(redactValue(value)));
}

/** The row of a parked target; the whole state is kept so a re-created job resumes it exactly. */
export function deadLetterRow(key: string, type: string, state: TargetPollState, nowMs: number): DeadLetterRow | null {
  const dl = state.deadLetter;
  if (!dl) return null;
  return {
    targetKey: key,
    targetType: type,
    reason: dl.reason,
    lastError: redactSecrets(dl.lastError),
    failures: dl.failures,
    enteredAtMs: dl.enteredAtMs,
    retryAtMs: dl.retryAtMs,
    parkedCount: dl.parkedCount,
    updatedAtMs: nowMs,
    stateJson: jsonText(state),
  };
}

/**
 * The state a re-created job starts with: the stored state when it is
 * readable, otherwise a fresh one carrying the dead letter; either way due
 * at the dead letter's retry time.
 */
export function stateFromDeadLetterRow(row: DeadLetterRow, options: TypePollingOptions, nowMs: number): TargetPollState {
  const deadLetter = {
    reason: deadLetterReasonOf(row.reason),
    enteredAtMs: row.enteredAtMs,
    retryAtMs: row.retryAtMs,
    failures: row.failures,
    lastError: row.lastError,
    parkedCount: row.parkedCount,
  };
  let stored: unknown;
  try {
    stored = row.stateJson ? JSON.parse(row.stateJson) : null;
  } catch {
    stored = null;
  }
  if (isTargetPollState(stored)) return { ...stored, deadLetter, nextRunAtMs: row.retryAtMs };
  const fresh = initialTargetState(options, nowMs);
  return {
    ...fresh,
    consecutiveFailures: row.failures,
    lastPollAtMs: row.updatedAtMs,
    lastError: {
      message: row.lastError,
      kind: deadLetter.reason === 'permanent_failure' ? 'permanent' : 'transient',
      category: 'unknown',
      atMs: row.updatedAtMs,
    },
    deadLetter,
    nextRunAtMs: row.retryAtMs,
  };
}

export function runtimeTargetRow(key: string, definition: TargetDefinition, nowMs: number): RuntimeTargetRow {
  return {
    targetKey: key,
    targetType: definition.type,
    name: definition.name,
    // Connection details included: the poller needs them after a restart.
    definitionJson: JSON.stringify(definition),
    paused: definition.paused,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}

/** The stored definition, or null when the row is not a valid target any more. */
export function definitionFromRow(row: RuntimeTargetRow): TargetDefinition | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.definitionJson);
  } catch {
    return null;
  }
  if (validateTargetInput(parsed, 'target').length > 0) return null;
  const def = parsed as TargetDefinition;
  return {
    name: def.name,
    type: def.type,
    displayName: def.displayName ?? def.name,
    connection: def.connection ?? {},
    metadata: def.metadata ?? {},
    fixedIntervalMs: def.fixedIntervalMs ?? null,
    paused: row.paused,
  };
}

export function auditRow(record: AuditRecord): Omit<AuditRow, 'recordId'> {
  return {
    atMs: record.atMs,
    actor: record.actor.slice(0, MAX_ACTOR_LENGTH),
    action: record.action,
    targetKey: record.target,
    beforeJson: jsonText(record.before),
    afterJson: jsonText(record.after),
    detailJson: jsonText(record.detail ?? {}) ?? '{}',
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function auditRecordFromRow(row: AuditRecordEntity): AuditRecord {
  return {
    atMs: row.atMs,
    actor: row.actor,
    action: row.action as AuditRecord['action'],
    target: row.targetKey,
    before: parseJson(row.beforeJson),
    after: parseJson(row.afterJson),
    detail: (parseJson(row.detailJson) as Record<string, unknown> | null) ?? {},
  };
}

/** A stored reason, read back; an unknown one (a newer version's) counts as retries exhausted. */
function deadLetterReasonOf(stored: string): DeadLetterReason {
  return (DEAD_LETTER_REASONS as readonly string[]).includes(stored) ? (stored as DeadLetterReason) : 'max_retry_attempts';
}
