/** A start-up problem with pollers or targets; lists every problem at once. */
export class PollingStartupError extends Error {
  override readonly name = 'PollingStartupError';
  constructor(readonly problems: string[]) {
    super(`Adaptive polling cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const POLLING_WAITS_FOR_REDIS = 'polling starts once Redis answers; the app serves meanwhile (health answers 503)';
export const POLLING_STARTED_LATE = 'Redis answers: polling started';

export function pollingStartFailed(reason: string): string {
  return `polling could not start: ${reason}`;
}
