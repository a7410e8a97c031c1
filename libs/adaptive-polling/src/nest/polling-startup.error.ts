/** A start-up problem with pollers or targets; lists every problem at once. */
export class PollingStartupError extends Error {
  override readonly name = 'PollingStartupError';
  constructor(readonly problems: string[]) {
    super(`Adaptive polling cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
