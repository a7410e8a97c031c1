import { hasHashTag, pollQueueName } from './poll-queue-options';

/**
 * BullMQ queue names of the N shards. Shard 0 keeps the queue's own name
 * (hash-tagged on a cluster), so a single-shard schedule is the one that
 * existed before sharding, and going from 1 to N shards moves only the targets
 * that hash elsewhere. Shard i > 0 is `<name>-<i>`, with its own hash tag on a
 * cluster (`{name-i}`), so the shards' queues land in different slots.
 */
export function shardQueueNames(prefix: string, queueName: string, shards: number, cluster: boolean): string[] {
  const first = pollQueueName(prefix, queueName, cluster);
  const names = [first];
  const tagged = /^\{(.+)\}$/.exec(first);
  for (let i = 1; i < shards; i++) names.push(tagged ? `{${tagged[1]}-${i}}` : pollQueueName(prefix, `${first}-${i}`, cluster));
  return names;
}

/**
 * Why these names cannot be sharded, or null: a hash tag in the prefix, or
 * one that is not the whole queue name, would put every shard in one slot.
 */
export function shardNamingProblem(prefix: string, queueName: string, shards: number): string | null {
  if (shards <= 1) return null;
  if (hasHashTag(prefix)) return 'with shards > 1 the prefix must not hold a hash tag ({...}): each shard gets its own';
  if (hasHashTag(queueName) && !/^\{[^{}]+\}$/.test(queueName)) {
    return 'with shards > 1 a hash tag must be the whole queue name ({name}) or left out: each shard gets its own';
  }
  return null;
}
