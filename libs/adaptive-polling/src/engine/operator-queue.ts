import type { RedisClient } from './redis-connection';
import type { EngineKeys } from './engine-keys';

/** Where a target's operator-action list lives (the engine's keys, or its shard's). */
type OpsKeys = Pick<EngineKeys, 'ops'>;
import { PROGRESS_FIELD } from './bullmq-internals';

/** At most this many pending actions are applied in one run. */
const DRAIN_BATCH = 100;

/**
 * What the target's job carries (in BullMQ's progress field, which the
 * worker reads with the job anyway) while operator actions wait for it. A run
 * reads the list only when it sees this mark, so a plain poll pays no round
 * trip for operator actions. A run takes the actions off the list, and clears
 * the mark once the list is empty, only after its state write landed: an
 * action whose run fails to store its result waits for the next run, and one
 * queued while a run goes on keeps its mark through that run's reschedule.
 */
export const PENDING_ACTIONS_MARK = Object.freeze({ pendingOperatorActions: true });
const PENDING_ACTIONS_MARK_JSON = JSON.stringify(PENDING_ACTIONS_MARK);

/** Queues the action and marks the job (if it exists: never a stray job hash), atomically. */
const PUSH_SCRIPT = `
redis.call('RPUSH', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], '${PROGRESS_FIELD}', ARGV[1]) end
return 1`;

/** The oldest batch and the list's length, leaving the list as it is. */
const PEEK_SCRIPT = `
return {redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1), redis.call('LLEN', KEYS[1])}`;

/** Drops the first ARGV[1] actions (those a run applied) and, when none are left, the job's mark. */
const ACK_SCRIPT = `
if tonumber(ARGV[1]) > 0 then redis.call('LTRIM', KEYS[1], ARGV[1], -1) end
if redis.call('LLEN', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], '${PROGRESS_FIELD}', 0) end
return 1`;

/**
 * Where the job is while actions wait: 0 none wait (a run took them),
 * 1 delayed (promote it), 2 running (wait for its reschedule), 3 waiting to
 * run or gone (nothing to do).
 */
const WHERE_SCRIPT = `
if redis.call('LLEN', KEYS[1]) == 0 then return 0 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 1 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
return 3`;

export type PendingActionsWhere = 'drained' | 'delayed' | 'running' | 'queued';
const WHERE: readonly PendingActionsWhere[] = ['drained', 'delayed', 'running', 'queued'];

export interface WaitingActions {
  actions: string[];
  /** More than one batch is waiting: the job must run again at once. */
  more: boolean;
}

/** The job's id, its lock key and the queue's delayed set (BullMQ's names). */
export interface JobKeys {
  jobId: string;
  lock: string;
  delayed: string;
}

export function hasPendingActionsMark(progress: unknown): boolean {
  return (
    typeof progress === 'object' && progress !== null && (progress as { pendingOperatorActions?: unknown }).pendingOperatorActions === true
  );
}

/**
 * Pending operator actions per target. Every change to a target's state goes
 * through its own job run, so an action never races a poll: the action is
 * queued, the job is marked and promoted (the engine promotes a running job as
 * soon as its reschedule has made it delayed), and the run applies it before
 * polling.
 */
export class OperatorQueue {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: OpsKeys,
  ) {}

  async push(targetKey: string, action: string, jobKey: string): Promise<void> {
    await this.redis.eval(PUSH_SCRIPT, 2, jobKey, this.keys.ops(targetKey), PENDING_ACTIONS_MARK_JSON, action);
  }

  /** The oldest batch of waiting actions, left queued until `ack` (after the run's state write). */
  async peek(targetKey: string): Promise<WaitingActions> {
    const [actions, length] = (await this.redis.eval(PEEK_SCRIPT, 1, this.keys.ops(targetKey), DRAIN_BATCH)) as [string[], number];
    return { actions, more: length > actions.length };
  }

  /** Takes the `applied` oldest actions off the list; the mark goes with the last of them. */
  async ack(targetKey: string, jobKey: string, applied: number): Promise<void> {
    await this.redis.eval(ACK_SCRIPT, 2, this.keys.ops(targetKey), jobKey, applied);
  }

  async where(targetKey: string, job: JobKeys): Promise<PendingActionsWhere> {
    const code = (await this.redis.eval(WHERE_SCRIPT, 3, this.keys.ops(targetKey), job.delayed, job.lock, job.jobId)) as number;
    return WHERE[code] ?? 'queued';
  }

  /**
   * Moves the actions waiting in another list (the target's former shard's) to its own,
   * marking its job, oldest first. Two slots on a cluster, so not atomic: a crash between
   * the push and the trim applies those actions twice (each is safe to repeat), never loses one.
   */
  async carryOver(targetKey: string, fromList: string, jobKey: string): Promise<number> {
    if (fromList === this.keys.ops(targetKey)) return 0;
    const actions = await this.redis.lrange(fromList, 0, -1);
    for (const action of actions) await this.push(targetKey, action, jobKey);
    if (actions.length > 0) await this.redis.ltrim(fromList, actions.length, -1);
    return actions.length;
  }

  async clear(targetKey: string): Promise<void> {
    await this.redis.del(this.keys.ops(targetKey));
  }
}
