import type { QueueOptions } from 'bullmq';

/**
 * Cap of the queue's events stream (BullMQ's default is 10,000 entries). The
 * library reads no queue events (no QueueEvents); the stream only serves
 * someone watching the queue live, for whom the last 1,000 events are
 * plenty. At 10,000 targets the default cost ~85 bytes per target.
 */
export const POLL_QUEUE_EVENTS_MAX_LEN = 1_000;

/**
 * Options of every BullMQ Queue opened on the polling queue (the engine's and
 * Bull Board's): each Queue writes its stream cap into the queue's shared meta
 * hash, so they must agree or the last one started would win.
 */
export function pollQueueOptions(connection: QueueOptions['connection'], prefix: string): QueueOptions {
  return { connection, prefix, streams: { events: { maxLen: POLL_QUEUE_EVENTS_MAX_LEN } } };
}

/** Redis Cluster's hash tag: the first `{...}` with something inside decides a key's slot. */
const HASH_TAG = /\{[^}]+\}/;

/** True when the text holds a Redis Cluster hash tag. */
export function hasHashTag(text: string): boolean {
  return HASH_TAG.test(text);
}

/**
 * The BullMQ queue name the engine uses. BullMQ's scripts touch many keys of
 * one queue (`<prefix>:<name>:...`), which on a Redis Cluster must share a
 * slot: BullMQ asks for a hash tag in the prefix or the queue name. On a
 * cluster, a name without one (and a prefix without one) is wrapped in braces;
 * on a single Redis names are left as they are, so existing keys stay put.
 */
export function pollQueueName(prefix: string, queueName: string, cluster: boolean): string {
  if (!cluster || hasHashTag(prefix) || hasHashTag(queueName)) return queueName;
  return `{${queueName}}`;
}
