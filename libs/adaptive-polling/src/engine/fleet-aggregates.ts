import { createHash } from 'node:crypto';
import { isBreakerTroubled, isQueued } from '../core/schedule-rules';
import { TARGET_KEY_SEPARATOR, targetKey, type TargetDefinition } from '../core/target';
import { TARGET_STATUSES, targetStatusOf, type TargetStatus } from '../core/target-status';
import type { EpochMs, TargetPollState } from '../core/types';
import { lockKeyOf } from './bullmq-internals';
import { jobIdForTarget, type EngineKeys } from './engine-keys';
import type { RedisClient } from './redis-connection';
import { storedTimeMs } from './job-state-codec';

/**
 * Fleet-wide figures per target type, kept in Redis beside the jobs so that
 * health and metrics read O(types) keys instead of every target's job.
 *
 * Per shard and type, one sorted set per structure below, members are target
 * keys; a target's figures live in its home shard's keys (the slot of its
 * job), so each shard's writes stay on its own Redis node, and reads sum the
 * shards. A
 * write of one target puts it into the structures its state says (with the
 * score given) and takes it out of all others, so a repeated write changes
 * nothing and a missed one is healed by the target's next write. The status
 * sets are scored by the write's time: a write older than the one already
 * stored (a late one, e.g. the aggregate write of a run that another
 * replica's next run has overtaken) is ignored. A write for a target whose
 * job is gone from its home queue removes it; a removal that races a running
 * poll is undone by that job's next run, which finds the target gone and
 * forgets it.
 *
 * What can still drift: a process that dies between the job's commit and
 * the aggregate write (or whose aggregate write fails) leaves the target's
 * previous figures until its next run. `repair()` rewrites every target from
 * a full read; the `fleet-aggregates` housekeeping task runs it at a low rate
 * under its lock, and the engine at start when the aggregates were never
 * built (a flush, an upgrade).
 *
 * The aggregate keys are each shard's engine keys (engineKeys() of its
 * queue), in the slot of that queue: the script reads only the job keys of
 * the same queue. While jobs are re-homed after a `shards` change a moved
 * target may be counted in its old shard too; the repair that ends the
 * re-homing rewrites every shard.
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
 * KEYS: the shard's types set, the type's FLEET_PARTS (the status sets first),
 * then one job key per target written (in the same queue, so the same slot).
 * ARGV: type, stamp, part count, then per target: its key and one score per
 * part ('' = not in it). A target whose job does not exist is taken out.
 */
const WRITE_SCRIPT = `
local stamp = tonumber(ARGV[2])
local parts = tonumber(ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
local written = 0
local row = 0
local i = 4
while i <= #ARGV do
  row = row + 1
  local member = ARGV[i]
  local live = redis.call('EXISTS', KEYS[1 + parts + row]) == 1
  local newer = false
  if live then
    for s = 2, ${1 + STATUS_COUNT} do
      local at = redis.call('ZSCORE', KEYS[s], member)
      if at and tonumber(at) > stamp then newer = true break end
    end
  end
  if not newer then
    for k = 1, parts do
      local score = ARGV[i + k]
      if live and score ~= '' then redis.call('ZADD', KEYS[k + 1], score, member)
      else redis.call('ZREM', KEYS[k + 1], member) end
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

/** One queue (shard) of the schedule: where its aggregates and its jobs live. */
export interface FleetShard {
  /** The engine keys of the shard's queue (its aggregate keys, in its slot). */
  keys: EngineKeys;
  /** BullMQ's active list of the queue. */
  activeKey: string;
  /** Job key of a job id in the queue. */
  jobKey(jobId: string): string;
}

/** One shard's figures of one type, before they are summed over the shards. */
type ShardFigures = Omit<TypeAggregate, 'type' | 'targets' | 'queued' | 'dueSoon' | 'staleness' | 'latestSuccessAtMs'> & {
  due: number;
  runningDue: number;
  underHalf: number;
  underOne: number;
  latestActive: EpochMs | null;
  latestPaused: EpochMs | null;
};

export class FleetAggregates {
  constructor(
    private readonly redis: RedisClient,
    /** Every queue the engine works (the home shards first, then any being drained). */
    private readonly shards: readonly FleetShard[],
    /** A target's home shard (an index into `shards`). */
    private readonly homeOf: (targetKey: string) => number,
    /** The target key of a poll job id, null for other jobs. */
    private readonly targetKeyOf: (jobId: string) => string | null,
  ) {}

  /** Writes one target's figures (its state after a commit, or null before its first run). */
  async record(def: Pick<TargetDefinition, 'type' | 'name' | 'paused'>, state: TargetPollState | null, stamp: EpochMs): Promise<void> {
    const key = targetKey(def);
    await this.write(this.shards[this.homeOf(key)], def.type, stamp, [[key, scoresOf(def.paused, state, stamp)]]);
  }

  /** Takes a target out of every shard (after its removal, or when a run finds it gone). */
  async forget(key: string, stamp: EpochMs): Promise<void> {
    for (const shard of this.shards) await this.write(shard, typeOfKey(key), stamp, [[key, []]]);
  }

  /** True once a repair has built the aggregates from a full read. */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.shards[0].keys.fleetBuilt)) === 1;
  }

  /**
   * Rewrites every target into its home shard from a full read taken at
   * `readAtMs` (writes that landed after the read are newer and kept), and
   * takes out of every shard the members that are not targets homed there.
   * Returns how many members it took out.
   */
  async repair(
    targets: ReadonlyArray<{ definition: TargetDefinition; state: TargetPollState | null }>,
    readAtMs: EpochMs,
  ): Promise<number> {
    const rowsByShard = this.shards.map(() => new Map<string, Array<[string, Array<number | null>]>>());
    for (const { definition, state } of targets) {
      const key = targetKey(definition);
      const byType = rowsByShard[this.homeOf(key)];
      let rows = byType.get(definition.type);
      if (!rows) byType.set(definition.type, (rows = []));
      rows.push([key, scoresOf(definition.paused, state, readAtMs)]);
    }
    let removed = 0;
    for (const [index, shard] of this.shards.entries()) {
      const byType = rowsByShard[index];
      const types = new Set([...byType.keys(), ...(await this.redis.smembers(shard.keys.fleetTypes))]);
      for (const type of types) {
        const rows = byType.get(type) ?? [];
        for (let from = 0; from < rows.length; from += REPAIR_CHUNK)
          await this.write(shard, type, readAtMs, rows.slice(from, from + REPAIR_CHUNK));
        const here = new Set(rows.map(([key]) => key));
        const members = new Set<string>();
        for (const part of FLEET_PARTS)
          for (const member of await this.redis.zrange(shard.keys.fleet(type, part), 0, -1)) members.add(member);
        const gone = [...members].filter((member) => !here.has(member));
        for (let from = 0; from < gone.length; from += REPAIR_CHUNK) {
          await this.write(
            shard,
            type,
            readAtMs,
            gone.slice(from, from + REPAIR_CHUNK).map((member) => [member, []]),
          );
        }
        removed += gone.length;
        if (rows.length === 0 && !(await this.hasMembers(shard, type))) await this.redis.srem(shard.keys.fleetTypes, type);
      }
    }
    await this.redis.set(this.shards[0].keys.fleetBuilt, String(readAtMs));
    return removed;
  }

  /** Every type's figures, summed over the shards: a few commands per type and shard, plus one per running job (for due-soon). */
  async read(read: FleetAggregateRead): Promise<TypeAggregate[]> {
    const byType = new Map<string, ShardFigures[]>();
    for (const shard of this.shards) {
      for (const [type, figures] of await this.readShard(shard, read)) {
        const list = byType.get(type) ?? [];
        list.push(figures);
        byType.set(type, list);
      }
    }
    const out: TypeAggregate[] = [];
    for (const type of [...byType.keys()].sort()) {
      const parts = byType.get(type)!;
      const sum = (pick: (f: ShardFigures) => number) => parts.reduce((total, f) => total + pick(f), 0);
      const statuses = Object.fromEntries(TARGET_STATUSES.map((status) => [status, sum((f) => f.statuses[status])])) as Record<
        TargetStatus,
        number
      >;
      const targets = TARGET_STATUSES.reduce((total, status) => total + statuses[status], 0);
      if (targets === 0) continue;
      const notPaused = targets - statuses.paused;
      const underHalf = sum((f) => f.underHalf);
      const underOne = sum((f) => f.underOne);
      out.push({
        type,
        statuses,
        targets,
        queued: statuses.polling + statuses.backing_off + statuses.breaker_open,
        dueSoon: Math.max(0, sum((f) => f.due) - sum((f) => f.runningDue)),
        deadLetters: sum((f) => f.deadLetters),
        breakersOpen: sum((f) => f.breakersOpen),
        breakersHalfOpen: sum((f) => f.breakersHalfOpen),
        breakersTroubled: sum((f) => f.breakersTroubled),
        maxBreakerFailures: Math.max(0, ...parts.map((f) => f.maxBreakerFailures)),
        latestOpenRetryAtMs: extreme(
          parts.map((f) => f.latestOpenRetryAtMs),
          Math.max,
        ),
        oldestSuccessAtMs: extreme(
          parts.map((f) => f.oldestSuccessAtMs),
          Math.min,
        ),
        latestSuccessAtMs: extreme(
          parts.flatMap((f) => [f.latestActive, f.latestPaused]),
          Math.max,
        ),
        staleness: { fresh: underHalf, aging: underOne - underHalf, stale: notPaused - underOne },
      });
    }
    return out;
  }

  /**
   * The lists behind the health API's fleet sections, none of them a read of
   * every target: the soonest dead letters and the troubled breakers (both
   * short in a healthy fleet), and per type and shard the `stalestLimit`
   * targets with the oldest last success (never succeeded first), paused and
   * not; the caller merges the candidates by staleness score.
   */
  async lists(deadLimit: number, stalestLimit: number): Promise<FleetLists> {
    const lists: FleetLists = { deadLetterHead: [], troubledBreakers: [], stalest: [] };
    for (const shard of this.shards) {
      const types = await this.redis.smembers(shard.keys.fleetTypes);
      if (types.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const type of types) {
        pipeline.zrange(shard.keys.fleet(type, 'dead'), 0, deadLimit - 1, 'WITHSCORES');
        pipeline.zrange(shard.keys.fleet(type, 'breaker'), 0, -1);
        pipeline.zrange(shard.keys.fleet(type, 'success'), 0, stalestLimit - 1, 'WITHSCORES');
        pipeline.zrange(shard.keys.fleet(type, 'paused-success'), 0, stalestLimit - 1, 'WITHSCORES');
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
    }
    return lists;
  }

  /** One shard's figures per type (its keys and its running jobs share its slot). */
  private async readShard(shard: FleetShard, read: FleetAggregateRead): Promise<Map<string, ShardFigures>> {
    const figures = new Map<string, ShardFigures>();
    const types = await this.redis.smembers(shard.keys.fleetTypes);
    if (types.length === 0) return figures;
    const dueBy = read.nowMs + read.dueWindowMs;
    const pipeline = this.redis.pipeline();
    for (const type of types) {
      const key = (part: FleetPart) => shard.keys.fleet(type, part);
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
    const runningDue = await this.runningDueByType(shard, dueBy);
    let at = 0;
    const next = () => replies[at++];
    for (const type of types) {
      const statuses = Object.fromEntries(TARGET_STATUSES.map((status) => [status, Number(next())])) as Record<TargetStatus, number>;
      figures.set(type, {
        statuses,
        due: Number(next()),
        deadLetters: Number(next()),
        breakersOpen: Number(next()),
        breakersHalfOpen: Number(next()),
        breakersTroubled: Number(next()),
        maxBreakerFailures: topScore(next()) ?? 0,
        latestOpenRetryAtMs: topScore(next()),
        oldestSuccessAtMs: topScore(next()),
        latestActive: successTime(topScore(next())),
        latestPaused: successTime(topScore(next())),
        underHalf: Number(next()),
        underOne: Number(next()),
        runningDue: runningDue.get(type) ?? 0,
      });
    }
    return figures;
  }

  /**
   * The shard's running jobs counted in its `next` sets as due by `dueBy`,
   * per type. A running job is one in the active list whose lock exists (a
   * snapshot's `running`).
   */
  private async runningDueByType(shard: FleetShard, dueBy: EpochMs): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const jobIds = (await this.redis.lrange(shard.activeKey, 0, -1)).filter((id) => this.targetKeyOf(id) !== null);
    if (jobIds.length === 0) return counts;
    const keys = jobIds.map((id) => this.targetKeyOf(id)!);
    const pipeline = this.redis.pipeline();
    for (const [i, jobId] of jobIds.entries()) {
      pipeline.exists(lockKeyOf(shard.jobKey(jobId)));
      pipeline.zscore(shard.keys.fleet(typeOfKey(keys[i]), 'next'), keys[i]);
    }
    const replies = execReplies(await pipeline.exec());
    for (const [i, key] of keys.entries()) {
      const locked = replies[2 * i] === 1;
      const score = replies[2 * i + 1];
      if (!locked || score === null || Number(score) > dueBy) continue;
      const type = typeOfKey(key);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return counts;
  }

  private async hasMembers(shard: FleetShard, type: string): Promise<boolean> {
    for (const status of TARGET_STATUSES) if ((await this.redis.zcard(shard.keys.fleet(type, `status:${status}`))) > 0) return true;
    return false;
  }

  private async write(shard: FleetShard, type: string, stamp: EpochMs, rows: Array<[string, Array<number | null>]>): Promise<void> {
    if (rows.length === 0) return;
    const keys = [
      shard.keys.fleetTypes,
      ...FLEET_PARTS.map((part) => shard.keys.fleet(type, part)),
      ...rows.map(([member]) => shard.jobKey(jobIdForTarget(member))),
    ];
    const args: Array<string | number> = [type, stamp, FLEET_PARTS.length];
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

/** The max or min of the times given, null when none is. */
function extreme(values: Array<EpochMs | null>, pick: (...values: number[]) => number): EpochMs | null {
  const present = values.filter((v): v is EpochMs => v !== null);
  return present.length === 0 ? null : pick(...present);
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
