/**
 * Names of the engine's own Redis keys, next to BullMQ's under the same
 * prefix and queue name, so two apps that differ in either never collide.
 */
export interface EngineKeys {
  /** Hash: target key -> JSON TargetDefinition (the shared registry). */
  targets: string;
  /** Counter bumped on every registry change, so replicas reload only when needed. */
  targetsVersion: string;
  /** List of pending operator actions for one target. */
  ops(targetKey: string): string;
  /** Replica heartbeats and shutdown markers live under this prefix. */
  replicaPrefix: string;
  /** Locks for housekeeping tasks. */
  lock(name: string): string;
  /** How many shards the jobs are laid out over (absent: one, as before sharding). */
  shardLayout: string;
}

export function engineKeys(prefix: string, queueName: string): EngineKeys {
  const base = `${prefix}:${queueName}:ap`;
  return {
    targets: `${base}:targets`,
    targetsVersion: `${base}:targets:version`,
    ops: (targetKey) => `${base}:ops:${targetKey}`,
    replicaPrefix: `${base}:replica`,
    // Not BullMQ's job locks (those live in bullmq-internals.ts): our housekeeping tasks'.
    lock: (name) => `${base}:task-lock:${name}`,
    shardLayout: `${base}:shards`,
  };
}

/**
 * BullMQ forbids ':' in custom job ids, and target keys are `type::name`,
 * so the id is the URL-encoded key behind a fixed marker. Deterministic: the
 * same target always maps to the same job, in every process.
 */
export function jobIdForTarget(targetKey: string): string {
  return `target-${encodeURIComponent(targetKey)}`;
}
