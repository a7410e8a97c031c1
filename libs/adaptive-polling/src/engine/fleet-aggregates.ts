import { createHash } from 'node:crypto';
import { isBreakerTroubled, isQueued } from '../core/schedule-rules';
import { TARGET_KEY_SEPARATOR, targetKey, type TargetDefinition } from '../core/target';
import { TARGET_STATUSES, targetStatusOf, type TargetStatus } from '../core/target-status';
import type { EpochMs, TargetPollState } from '../core/types';
import { lockKeyOf } from './bullmq-internals';
import type { EngineKeys } from './engine-keys';
import type { RedisClient } from './redis-connection';
import { storedTimeMs } from './job-state-codec';

/**
 * Fleet-wide figures per target type, kept in Redis beside the jobs so that
 * health and metrics read O(types) keys instead of every target's job.
 *
 * Per type, one sorted set per structure below, members are target keys. A
 * write of one target puts it into the structures its state says (with the
 * score given) and takes it out of all others, so a repeated write changes
 * nothing and a missed one is healed by the target's next write. The status
 * sets are scored by the write's time: a write older than the one already
 * stored (a late one, e.g. the aggregate write of a run that another
 * replica's next run has overtaken) is ignored. A write for a target no
 * longer in the registry removes it, so a removal racing a running poll ends
 * with the target gone.
 *
 * What can still drift: a process that dies between the job's commit and
 * the aggregate write (or whose aggregate write fails) leaves the target's
 * previous figures until its next run. `repair()` rewrites every target from
 * a full read; the `fleet-aggregates` housekeeping task runs it at a low rate
 * under its lock, and the engine at start when the aggregates were never
 * built (a flush, an upgrade).
 *
 * The aggregate keys are engine keys (engineKeys()), never touched in the
 * same script as BullMQ's job keys: they may live in other cluster slots.
 */

/** The structures of one type, in the order of the script's KEYS and of `scoresOf`. */
export const FLEET_PARTS = [
  ...TARGET_STATUSES.map((status) => `status:${status}`),
  /** Queued targets (will poll), by next run. */
  'next',
  /** Targets not paused, by last success (0: never succeeded): the stalest first. */
  'success',
  /** Paused targets, by last success (0: never succeeded). */
  'paused-success',
  /** Dead-lettered targets (paused ones too), by retry time. */
  'dead',
  /** Breakers not closed or with failures, by failure count. */
  'breaker',
  /** Open breakers, by retry time (0 when none is set). */
  'breaker-open',
  /** Half-open breakers. */
  'breaker-half-open',
] as const;
type FleetPart = (typeof FLEET_PARTS)[number];
const PART_INDEX = new Map<FleetPart, number>(FLEET_PARTS.map((part, i) => [part, i]));
const STATUS_COUNT = TARGET_STATUSES.length;

/**
 * KEYS: registry hash, types set, then the type's FLEET_PARTS (the status sets first).
 * ARGV: type, stamp, then per target: its key and one score per part ('' = not in it).
 */
const WRITE_SCRIPT = `
local parts = #KEYS - 2
local stamp = tonumber(ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
local written = 0
local i = 3
while i <= #ARGV do
  local member = ARGV[i]
  local live = redis.call('HEXISTS', KEYS[1], member) == 1
  local newer = false
  if live then
    for s = 3, ${2 + STATUS_COUNT} do
      local at = redis.call('ZSCORE', KEYS[s], member)
      if at and tonumber(at) > stamp then newer = true break end
    end
  end
  if not newer then
    for k = 1, parts do
      local score = ARGV[i + k]
      if live and score ~= '' then redis.call('ZADD', KEYS[k + 2], score, member)
      else redis.call('ZREM', KEYS[k + 2], member) end
    end
    written = written + 1
  end
  i = i + parts + 1
end
return written`;

const WRITE_SCRIPT_SHA = createHash('sha1').update(WRITE_SCRIPT).digest('hex');

/** Targets per script call in a repair: each call holds Redis for well under a millisecond. */
const REPAIR_CHUNK = 200;

/** The success sets' score of a target that never succeeded: it sorts first, as the stalest. */
const NEVER_SUCCEEDED = 0;

/** What one target's state contributes; null = not in that structure. */
export function scoresOf(paused: boolean, state: TargetPollState | null, stamp: EpochMs): Array<number | null> {
  const scores = new Array<number | null>(FLEET_PARTS.length).fill(null);
  const set = (part: FleetPart, score: number | null) => {
    scores[PART_INDEX.get(part)!] = score;
  };
  set(`status:${targetStatusOf(paused, state)}`, stamp);
  // Times as the job stores them, so the figures equal what a read of the jobs finds.
  // The health API's queue rule; a target with an aggregate write has its job.
  if (isQueued(true, paused, state) && state?.nextRunAtMs != null) set('next', storedTimeMs(state.nextRunAtMs));
  const lastSuccess = state?.lastSuccessAtMs ?? null;
  set(paused ? 'paused-success' : 'success', lastSuccess === null ? NEVER_SUCCEEDED : storedTimeMs(lastSuccess));
  if (state?.deadLetter) set('dead', storedTimeMs(state.deadLetter.retryAtMs));
  const breaker = state?.breaker;
  if (breaker && isBreakerTroubled(breaker)) set('breaker', Math.max(0, breaker.failures));
  if (breaker?.state === 'open') set('breaker-open', breaker.retryAtMs === null ? 0 : storedTimeMs(breaker.retryAtMs));
  if (breaker?.state === 'half_open') set('breaker-half-open', 0);
  return scores;
}

/** One type's figures, read in O(1) commands. */
export interface TypeAggregate {
  type: string;
  /** Targets per shown state (core/target-status.ts); their sum is the type's targets. */
  statuses: Record<TargetStatus, number>;
  targets: number;
  /** Targets that will poll (not paused, not dead-lettered): the health API's queue depth. */
  queued: number;
  /** Queued, not running, due within the window. */
  dueSoon: number;
  /** Dead-lettered targets, paused ones included. */
  deadLetters: number;
  breakersOpen: number;
  breakersHalfOpen: number;
  /** Breakers not closed or with failures. */
  breakersTroubled: number;
  /** The highest breaker failure count (0 when none). */
  maxBreakerFailures: number;
  /** The latest retry time of an open breaker (null when none is open). */
  latestOpenRetryAtMs: EpochMs | null;
  /** Oldest last success among targets not paused (null: none succeeded). */
  oldestSuccessAtMs: EpochMs | null;
  /** Latest last success among all targets (null: none succeeded). */
  latestSuccessAtMs: EpochMs | null;
  /** Targets not paused by staleness score (age since last success / max interval): never succeeded counts as stale. */
  staleness: StalenessBuckets;
}

export interface StalenessBuckets {
  /** Score below 0.5. */
  fresh: number;
  /** Score 0.5 up to 1. */
  aging: number;
  /** Score 1 (a max interval or more without success, or never succeeded). */
  stale: number;
}

export interface FleetAggregateRead {
  nowMs: EpochMs;
  dueWindowMs: number;
  /** A type's max interval (the staleness buckets' unit). Types with no target are left out of a read. */
  maxIntervalMs(type: string): number;
}

/** Target lists the health API shows, from the aggregates (no job is read). */
export interface FleetLists {
  /** Up to `deadLimit` dead letters per type with the soonest retry (the caller merges and orders them). */
  deadLetterHead: Array<{ key: string; retryAtMs: EpochMs }>;
  /** Targets whose breaker is not closed or has failures. */
  troubledBreakers: string[];
  /** Per type the targets with the oldest last success (null: never succeeded), paused and not. */
  stalest: Array<{ key: string; type: string; lastSuccessAtMs: EpochMs | null }>;
}

/** One queue's (shard's) running jobs, for the due-soon figure (running jobs are not due). */
export interface RunningJobs {
  /** BullMQ's active list of the queue. */
  activeKey: string;
  /** Job key of a job id. */
  jobKey(jobId: string): string;
}

export class FleetAggregates {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
    /** Every queue the engine works (each shard's). */
    private readonly running: readonly RunningJobs[],
    /** The target key of a poll job id, null for other jobs. */
    private readonly targetKeyOf: (jobId: string) => string | null,
  ) {}

  /** Writes one target's figures (its state after a commit, or null before its first run). */
  async record(def: Pick<TargetDefinition, 'type' | 'name' | 'paused'>, state: TargetPollState | null, stamp: EpochMs): Promise<void> {
    await this.write(def.type, stamp, [[targetKey(def), scoresOf(def.paused, state, stamp)]]);
  }

  /** Takes a target out (after its removal from the registry: the script checks that). */
  async forget(def: Pick<TargetDefinition, 'type' | 'name'>, stamp: EpochMs): Promise<void> {
    await this.write(def.type, stamp, [[targetKey(def), []]]);
  }

  /** True once a repair has built the aggregates from a full read. */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.keys.fleetBuilt)) === 1;
  }

  /**
   * Rewrites every target from a full read taken at `readAtMs` (writes that
   * landed after the read are newer and kept), and takes out members that
   * are no longer targets. Returns how many members it took out.
   */
  async repair(
    targets: ReadonlyArray<{ definition: TargetDefinition; state: TargetPollState | null }>,
    readAtMs: EpochMs,
  ): Promise<number> {
    const byType = new Map<string, Array<[string, Array<number | null>]>>();
    for (const { definition, state } of targets) {
      let rows = byType.get(definition.type);
      if (!rows) byType.set(definition.type, (rows = []));
      rows.push([targetKey(definition), scoresOf(definition.paused, state, readAtMs)]);
    }
    const live = new Set(targets.map(({ definition }) => targetKey(definition)));
    const types = new Set([...byType.keys(), ...(await this.redis.smembers(this.keys.fleetTypes))]);
    let removed = 0;
    for (const type of types) {
      const rows = byType.get(type) ?? [];
      for (let from = 0; from < rows.length; from += REPAIR_CHUNK) await this.write(type, readAtMs, rows.slice(from, from + REPAIR_CHUNK));
      const members = new Set<string>();
      for (const part of FLEET_PARTS) for (const member of await this.redis.zrange(this.keys.fleet(type, part), 0, -1)) members.add(member);
      const gone = [...members].filter((member) => !live.has(member));
      for (let from = 0; from < gone.length; from += REPAIR_CHUNK) {
        await this.write(
          type,
          readAtMs,
          gone.slice(from, from + REPAIR_CHUNK).map((member) => [member, []]),
        );
      }
      removed += gone.length;
      if (rows.length === 0 && !(await this.hasMembers(type))) await this.redis.srem(this.keys.fleetTypes, type);
    }
    await this.redis.set(this.keys.fleetBuilt, String(readAtMs));
    return removed;
  }

  /** Every type's figures: a few commands per type, plus one per running job (for due-soon). */
  async read(read: FleetAggregateRead): Promise<TypeAggregate[]> {
    const types = (await this.redis.smembers(this.keys.fleetTypes)).sort();
    if (types.length === 0) return [];
    const dueBy = read.nowMs + read.dueWindowMs;
    const pipeline = this.redis.pipeline();
    for (const type of types) {
      const key = (part: FleetPart) => this.keys.fleet(type, part);
      const maxMs = read.maxIntervalMs(type);
      for (const status of TARGET_STATUSES) pipeline.zcard(key(`status:${status}`));
      pipeline.zcount(key('next'), '-inf', dueBy);
      pipeline.zcard(key('dead'));
      pipeline.zcard(key('breaker-open'));
      pipeline.zcard(key('breaker-half-open'));
      pipeline.zcard(key('breaker'));
      pipeline.zrevrange(key('breaker'), 0, 0, 'WITHSCORES');
      pipeline.zrevrange(key('breaker-open'), 0, 0, 'WITHSCORES');
      pipeline.zrangebyscore(key('success'), `(${NEVER_SUCCEEDED}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
      pipeline.zrevrange(key('success'), 0, 0, 'WITHSCORES');
      pipeline.zrevrange(key('paused-success'), 0, 0, 'WITHSCORES');
      pipeline.zcount(key('success'), `(${read.nowMs - maxMs / 2}`, '+inf');
      pipeline.zcount(key('success'), `(${read.nowMs - maxMs}`, '+inf');
    }
    const replies = execReplies(await pipeline.exec());
    const runningDue = await this.runningDueByType(dueBy);
    const out: TypeAggregate[] = [];
    let at = 0;
    const next = () => replies[at++];
    for (const type of types) {
      const statuses = Object.fromEntries(TARGET_STATUSES.map((status) => [status, Number(next())])) as Record<TargetStatus, number>;
      const targets = TARGET_STATUSES.reduce((sum, status) => sum + statuses[status], 0);
      const dueCount = Number(next());
      const deadLetters = Number(next());
      const breakersOpen = Number(next());
      const breakersHalfOpen = Number(next());
      const breakersTroubled = Number(next());
      const maxBreakerFailures = topScore(next()) ?? 0;
      const latestOpenRetryAtMs = topScore(next());
      const oldestSuccessAtMs = topScore(next());
      const latestActive = successTime(topScore(next()));
      const latestPaused = successTime(topScore(next()));
      const underHalf = Number(next());
      const underOne = Number(next());
      if (targets === 0) continue;
      const notPaused = targets - statuses.paused;
      const latestSuccessAtMs =
        latestActive === null ? latestPaused : latestPaused === null ? latestActive : Math.max(latestActive, latestPaused);
      out.push({
        type,
        statuses,
        targets,
        queued: statuses.polling + statuses.backing_off + statuses.breaker_open,
        dueSoon: Math.max(0, dueCount - (runningDue.get(type) ?? 0)),
        deadLetters,
        breakersOpen,
        breakersHalfOpen,
        breakersTroubled,
        maxBreakerFailures,
        latestOpenRetryAtMs,
        oldestSuccessAtMs,
        latestSuccessAtMs,
        staleness: { fresh: underHalf, aging: underOne - underHalf, stale: notPaused - underOne },
      });
    }
    return out;
  }

  /**
   * The lists behind the health API's fleet sections, none of them a read of
   * every target: the soonest dead letters and the troubled breakers (both
   * short in a healthy fleet), and per type the `stalestLimit` targets with
   * the oldest last success (never succeeded first), paused and not; the
   * caller merges the types' candidates by staleness score.
   */
  async lists(deadLimit: number, stalestLimit: number): Promise<FleetLists> {
    const types = await this.redis.smembers(this.keys.fleetTypes);
    const lists: FleetLists = { deadLetterHead: [], troubledBreakers: [], stalest: [] };
    if (types.length === 0) return lists;
    const pipeline = this.redis.pipeline();
    for (const type of types) {
      pipeline.zrange(this.keys.fleet(type, 'dead'), 0, deadLimit - 1, 'WITHSCORES');
      pipeline.zrange(this.keys.fleet(type, 'breaker'), 0, -1);
      pipeline.zrange(this.keys.fleet(type, 'success'), 0, stalestLimit - 1, 'WITHSCORES');
      pipeline.zrange(this.keys.fleet(type, 'paused-success'), 0, stalestLimit - 1, 'WITHSCORES');
    }
    const replies = execReplies(await pipeline.exec()) as string[][];
    for (let t = 0; t < types.length; t++) {
      const [dead, breakers, success, pausedSuccess] = replies.slice(4 * t, 4 * t + 4);
      for (let i = 0; i < dead.length; i += 2) lists.deadLetterHead.push({ key: dead[i], retryAtMs: Number(dead[i + 1]) });
      lists.troubledBreakers.push(...breakers);
      for (const pairs of [success, pausedSuccess])
        for (let i = 0; i < pairs.length; i += 2)
          lists.stalest.push({ key: pairs[i], type: types[t], lastSuccessAtMs: successTime(Number(pairs[i + 1])) });
    }
    return lists;
  }

  /**
   * Running jobs counted in `next` as due by `dueBy`, per type. A running job
   * is one in the active list whose lock exists (a snapshot's `running`).
   */
  private async runningDueByType(dueBy: EpochMs): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    // Queue by queue: a shard's list and locks share a slot, the aggregate keys are in another.
    const locked: string[] = [];
    for (const queue of this.running) {
      const jobIds = (await this.redis.lrange(queue.activeKey, 0, -1)).filter((id) => this.targetKeyOf(id) !== null);
      if (jobIds.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const jobId of jobIds) pipeline.exists(lockKeyOf(queue.jobKey(jobId)));
      const held = execReplies(await pipeline.exec());
      for (const [i, jobId] of jobIds.entries()) if (held[i] === 1) locked.push(this.targetKeyOf(jobId)!);
    }
    if (locked.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    for (const key of locked) pipeline.zscore(this.keys.fleet(typeOfKey(key), 'next'), key);
    const scores = execReplies(await pipeline.exec());
    for (const [i, key] of locked.entries()) {
      const score = scores[i];
      if (score === null || Number(score) > dueBy) continue;
      const type = typeOfKey(key);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return counts;
  }

  private async hasMembers(type: string): Promise<boolean> {
    for (const status of TARGET_STATUSES) if ((await this.redis.zcard(this.keys.fleet(type, `status:${status}`))) > 0) return true;
    return false;
  }

  private async write(type: string, stamp: EpochMs, rows: Array<[string, Array<number | null>]>): Promise<void> {
    if (rows.length === 0) return;
    const keys = [this.keys.targets, this.keys.fleetTypes, ...FLEET_PARTS.map((part) => this.keys.fleet(type, part))];
    const args: Array<string | number> = [type, stamp];
    for (const [member, scores] of rows) {
      args.push(member);
      for (let i = 0; i < FLEET_PARTS.length; i++) args.push(scores[i] ?? '');
    }
    try {
      await this.redis.evalsha(WRITE_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      // Sent by hash on every poll; the text only when Redis does not know it yet (a restart, a flush).
      if (!String(error).includes('NOSCRIPT')) throw error;
      await this.redis.eval(WRITE_SCRIPT, keys.length, ...keys, ...args);
    }
  }
}

function typeOfKey(key: string): string {
  return key.slice(0, key.indexOf(TARGET_KEY_SEPARATOR));
}

function topScore(reply: unknown): number | null {
  return Array.isArray(reply) && reply.length >= 2 ? Number(reply[1]) : null;
}

/** A pipeline's replies; the first command error is thrown. */
function execReplies(results: Array<[Error | null, unknown]> | null): unknown[] {
  return (results ?? []).map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** A success set's score as a time (null: never succeeded, or no member). */
function successTime(score: number | null): EpochMs | null {
  return score === null || score === NEVER_SUCCEEDED ? null : score;
}
