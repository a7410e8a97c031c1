import type { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Job } from 'bullmq';
import { RedactingBullMQAdapter } from './redacting-adapter';

/**
 * Bull Board shows a delayed job's "Will run at" as `timestamp + (opts.delay
 * || delay)`, and "run time unknown" when `delay` differs from `opts.delay`.
 * A poll job is added once and re-delayed after every run (BullMQ then
 * stores the delay from that moment), so both would be wrong: the board's
 * copy of each job reports the delay from its added time to the run time
 * its data carries (`dueAtMs`), on top of the redaction of every job shown.
 * Only what the board reads is changed; the job in Redis is left alone.
 */
export class PollingQueueAdapter extends RedactingBullMQAdapter {
  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job && withBoardTiming(job);
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(withBoardTiming);
  }
}

function withBoardTiming(job: Job): Job {
  const toJSON = job.toJSON.bind(job);
  Object.defineProperty(job, 'toJSON', {
    configurable: true,
    value: () => {
      const json = toJSON();
      const dueAtMs = (job.data as { dueAtMs?: unknown } | undefined)?.dueAtMs;
      const timing: { delay?: number; opts?: typeof json.opts } = {};
      if (typeof dueAtMs === 'number' && Number.isFinite(json.timestamp)) {
        timing.delay = Math.max(0, dueAtMs - json.timestamp);
        timing.opts = { ...json.opts, delay: timing.delay };
      }
      return { ...json, ...timing };
    },
  });
  return job;
}
