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
  /** One fleet-aggregate structure of one target type (see fleet-aggregates.ts). */
  fleet(type: string, part: string): string;
  /** Set of the target types the fleet aggregates know. */
  fleetTypes: string;
  /** Set once the fleet aggregates were built from a full read (absent after a flush or an upgrade). */
  fleetBuilt: string;
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
    fleet: (type, part) => `${base}:fleet:${encodeURIComponent(type)}:${part}`,
    fleetTypes: `${base}:fleet-types`,
    fleetBuilt: `${base}:fleet-built`,
    shardLayout: `${base}:shards`,
  };
}

const JOB_ID_MARKER = 'target-';

/**
 * BullMQ forbids ':' in custom job ids, and target keys are `type::name`,
 * so the id is the URL-encoded key behind a fixed marker. Deterministic: the
 * same target always maps to the same job, in every process.
 */
export function jobIdForTarget(targetKey: string): string {
  return `${JOB_ID_MARKER}${encodeURIComponent(targetKey)}`;
}

/** The target key of a poll job's id; null for any other id. */
export function targetKeyOfJobId(jobId: string): string | null {
  if (!jobId.startsWith(JOB_ID_MARKER)) return null;
  try {
    return decodeURIComponent(jobId.slice(JOB_ID_MARKER.length));
  } catch {
    return null;
  }
}
