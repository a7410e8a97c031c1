import type { RedisClient } from './redis-connection';
import { targetKey, type TargetDefinition } from '../core/target';
import type { EngineKeys } from './engine-keys';

/** Writes ARGV[3] only if the field still holds ARGV[2]; returns the new version, or 0 when it changed meanwhile. */
const CAS_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return redis.call('INCR', KEYS[2])`;

/** Field and value arguments per HSET when writing many definitions (1,000 targets). */
const HSET_CHUNK_ARGS = 2_000;

/**
 * The shared registry of targets: one Redis hash every replica reads, plus a
 * local copy refreshed only when the version counter moved. The local copy
 * also lets a replica restore the registry if Redis comes back empty.
 */
export class TargetStore {
  private readonly local = new Map<string, TargetDefinition>();
  private loadedVersion: string | null = null;
  private localRevision = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
  ) {}

  /** Upserts definitions (one round trip) and bumps the version. */
  async put(definitions: TargetDefinition[]): Promise<void> {
    if (definitions.length === 0) return;
    const fields: string[] = [];
    for (const def of definitions) {
      fields.push(targetKey(def), JSON.stringify(def));
      this.local.set(targetKey(def), def);
    }
    this.localRevision++;
    // Spread in chunks: one HSET with every field of a big fleet (100,000
    // static targets) overflows the call stack. One MULTI keeps it atomic.
    const multi = this.redis.multi();
    for (let i = 0; i < fields.length; i += HSET_CHUNK_ARGS) multi.hset(this.keys.targets, ...fields.slice(i, i + HSET_CHUNK_ARGS));
    const results = await multi.incr(this.keys.targetsVersion).exec();
    this.advanceVersion(results?.[results.length - 1]?.[1]);
  }

  /**
   * Sets `paused` on one definition with a compare-and-set (retried while
   * another writer got in between), so the value it reports as before is the
   * one it replaced: concurrent pauses and resumes each see the truth.
   */
  async setPaused(key: string, paused: boolean): Promise<{ before: TargetDefinition; after: TargetDefinition } | null> {
    for (;;) {
      const raw = await this.redis.hget(this.keys.targets, key);
      if (raw === null) return null;
      const before = JSON.parse(raw) as TargetDefinition;
      const after = { ...before, paused };
      const version = (await this.redis.eval(
        CAS_SCRIPT,
        2,
        this.keys.targets,
        this.keys.targetsVersion,
        key,
        raw,
        JSON.stringify(after),
      )) as number;
      if (version === 0) continue;
      this.local.set(key, after);
      this.localRevision++;
      this.advanceVersion(version);
      return { before, after };
    }
  }

  async remove(key: string): Promise<boolean> {
    this.local.delete(key);
    this.localRevision++;
    const results = (await this.redis.multi().hdel(this.keys.targets, key).incr(this.keys.targetsVersion).exec()) as [
      [Error | null, number],
      [Error | null, number],
    ];
    this.advanceVersion(results[1]?.[1]);
    return results[0]?.[1] === 1;
  }

  /**
   * Our own write moved the version by one: when nobody else wrote since our
   * last load, the local copy is still complete (our change is in it), so the
   * next refresh need not reload the whole registry (HGETALL + a JSON.parse
   * per target, tens of ms at thousands of targets).
   */
  private advanceVersion(version: unknown): void {
    if (typeof version !== 'number' || this.loadedVersion === null) return;
    if (String(version - 1) === this.loadedVersion) this.loadedVersion = String(version);
  }

  /** The local view; call refresh() first when freshness matters. */
  get(key: string): TargetDefinition | undefined {
    return this.local.get(key);
  }

  /** Reads one definition straight from Redis (a replica may not have reloaded yet). */
  async fetch(key: string): Promise<TargetDefinition | undefined> {
    const raw = await this.redis.hget(this.keys.targets, key);
    this.localRevision++;
    if (raw === null) {
      this.local.delete(key);
      return undefined;
    }
    const def = JSON.parse(raw) as TargetDefinition;
    this.local.set(key, def);
    return def;
  }

  list(): TargetDefinition[] {
    return [...this.local.values()];
  }

  keysList(): string[] {
    return [...this.local.keys()];
  }

  size(): number {
    return this.local.size;
  }

  /** Moves whenever the local copy may have changed: lets readers reuse what they derived from it. */
  get revision(): number {
    return this.localRevision;
  }

  /**
   * Reloads the local copy when another replica changed the registry.
   * Returns 'lost' when Redis no longer has the registry at all (flushed).
   */
  async refresh(): Promise<'unchanged' | 'reloaded' | 'lost'> {
    const revision = this.localRevision;
    const version = await this.redis.get(this.keys.targetsVersion);
    if (version === null) return this.local.size > 0 ? 'lost' : 'unchanged';
    if (version === this.loadedVersion) return 'unchanged';
    const all = await this.redis.hgetall(this.keys.targets);
    // A write of this process landed while the registry was read: the copy read may predate
    // it. Keep what the local copy holds and add what it lacks; the version is left as it
    // was, so the next refresh reloads the whole registry (with that write in it).
    if (this.localRevision !== revision) {
      for (const [key, raw] of Object.entries(all)) if (!this.local.has(key)) this.local.set(key, JSON.parse(raw) as TargetDefinition);
      this.localRevision++;
      return 'reloaded';
    }
    this.local.clear();
    this.localRevision++;
    for (const [key, raw] of Object.entries(all)) this.local.set(key, JSON.parse(raw) as TargetDefinition);
    this.loadedVersion = version;
    return 'reloaded';
  }

  /**
   * Writes the local copy back after Redis lost it: it holds the run-time
   * changes (pauses, targets added or removed), so the start-up list is used
   * only when there is no local copy at all, and never written over it.
   */
  async restore(fallback: TargetDefinition[] = []): Promise<number> {
    if (this.local.size === 0) for (const def of fallback) this.local.set(targetKey(def), def);
    this.localRevision++;
    const defs = [...this.local.values()];
    await this.put(defs);
    this.loadedVersion = null;
    return defs.length;
  }
}
