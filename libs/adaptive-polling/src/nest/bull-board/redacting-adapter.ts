import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Job } from 'bullmq';
import { redactSecrets, redactValue } from '../../core/redact';

type JobJson = ReturnType<Job['toJSON']>;

/**
 * A poll job's data through the rules: its `key` (the target key, `type::name`) and
 * `dueAtMs` are the engine's own and stay readable (a field named `key` alone would
 * read as key material); the rest, the state with its last error, is redacted.
 */
function redactedJobData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return redactValue(data);
  const { key, dueAtMs, ...rest } = data as Record<string, unknown>;
  return {
    ...(typeof key === 'string' ? { key: redactSecrets(key) } : {}),
    ...(typeof dueAtMs === 'number' ? { dueAtMs } : {}),
    ...(redactValue(rest) as Record<string, unknown>),
  };
}

/** A job as the board serialises it, through the redaction rules (data, return value, failure text, stack). */
function redactedJobJson(json: JobJson): JobJson {
  return {
    ...json,
    name: redactSecrets(json.name ?? ''),
    data: redactedJobData(json.data),
    returnvalue: redactValue(json.returnvalue),
    failedReason: typeof json.failedReason === 'string' ? redactSecrets(json.failedReason) : json.failedReason,
    stacktrace: Array.isArray(json.stacktrace) ? json.stacktrace.map((line) => redactSecrets(String(line))) : json.stacktrace,
  } as JobJson;
}

function redactOnSerialise<T extends Job | undefined>(job: T): T {
  if (!job) return job;
  const toJSON = job.toJSON.bind(job);
  // Only this fetched instance changes: the board serialises it once per request, and actions (retry, promote) still work on it.
  job.toJSON = () => redactedJobJson(toJSON());
  return job;
}

/**
 * The board's BullMQ adapter with every job it shows passed through the
 * redaction rules: its API serves job data, failure reasons and stacks,
 * which may quote a target's URL or headers.
 */
export class RedactingBullMQAdapter extends BullMQAdapter {
  override async getJob(id: string): Promise<Job | undefined> {
    return redactOnSerialise(await super.getJob(id));
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map((job) => redactOnSerialise(job));
  }
}
