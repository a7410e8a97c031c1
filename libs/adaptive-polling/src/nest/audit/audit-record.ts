/** Bounded set of audited actions. */
export type AuditAction =
  | 'breaker.reset'
  | 'dlq.retry'
  | 'dlq.retry_all'
  | 'dlq.purge'
  | 'target.pause'
  | 'target.resume'
  | 'target.add'
  | 'target.update'
  | 'target.remove'
  | 'target.poll'
  | 'breaker.transition'
  | 'dead_letter.in'
  | 'dead_letter.out';

/** One entry of the audit trail: who did what to which target, when, and the state before and after. */
export interface AuditRecord {
  atMs: number;
  /** `operator:<name>` for API calls, `system` for transitions the engine made. */
  actor: string;
  action: AuditAction;
  /** Target key `type::name`, or null for fleet-wide actions. */
  target: string | null;
  /** Secret-free snapshots (never connection details). */
  before: unknown;
  after: unknown;
  detail: Record<string, unknown>;
}

/** Where audit records go. The persistence layer adds a database sink. */
export interface AuditSink {
  record(record: AuditRecord): void | Promise<void>;
}
