/**
 * The in-memory queue between the engine's events and the database.
 * Framework-free and synchronous, so its rules are unit-tested directly.
 *
 * Two kinds of writes:
 * - state writes (a target's dead-letter entry, a run-time target) are keyed:
 *   only the latest write per key matters, so a newer one replaces an older
 *   one still waiting. They are bounded by the number of targets and never
 *   dropped.
 * - audit records are appended and kept in order, up to `maxRecords`; when
 *   full, the oldest waiting record is dropped and counted.
 */

export interface KeyedWrite<T> {
  /** e.g. `dead_letter|pve::a`: one slot per table and target. */
  slot: string;
  write: T;
}

export interface WriteBatch<K, A> {
  keyed: Array<KeyedWrite<K>>;
  records: A[];
}

export class WriteBuffer<K, A> {
  private readonly keyed = new Map<string, K>();
  private records: A[] = [];
  private droppedCount = 0;

  constructor(private readonly maxRecords: number) {}

  /** Queues a state write; a waiting write for the same slot is replaced. */
  putKeyed(slot: string, write: K): void {
    this.keyed.delete(slot);
    this.keyed.set(slot, write);
  }

  /** Queues an append-only record; drops the oldest waiting one when full. */
  append(record: A): void {
    this.records.push(record);
    this.trim();
  }

  /** The waiting state write for a slot, if any (e.g. a dead letter not yet flushed). */
  peekKeyed(slot: string): K | undefined {
    return this.keyed.get(slot);
  }

  /** Takes up to `limit` state writes and `limit` records out of the buffer. */
  take(limit: number): WriteBatch<K, A> {
    const keyed: Array<KeyedWrite<K>> = [];
    for (const [slot, write] of this.keyed) {
      if (keyed.length >= limit) break;
      keyed.push({ slot, write });
    }
    for (const { slot } of keyed) this.keyed.delete(slot);
    const records = this.records.slice(0, limit);
    this.records = this.records.slice(records.length);
    return { keyed, records };
  }

  /**
   * Puts a batch that failed back: a state write only where no newer write
   * for its slot arrived meanwhile; records in front, in their order (the
   * oldest are dropped first if that overflows).
   */
  restore(batch: WriteBatch<K, A>): void {
    const newer = new Map(this.keyed);
    this.keyed.clear();
    for (const { slot, write } of batch.keyed) if (!newer.has(slot)) this.keyed.set(slot, write);
    for (const [slot, write] of newer) this.keyed.set(slot, write);
    this.records = [...batch.records, ...this.records];
    this.trim();
  }

  size(): number {
    return this.keyed.size + this.records.length;
  }

  /** Audit records dropped because the buffer was full, since start. */
  dropped(): number {
    return this.droppedCount;
  }

  private trim(): void {
    const over = this.records.length - this.maxRecords;
    if (over > 0) {
      this.records.splice(0, over);
      this.droppedCount += over;
    }
  }
}
