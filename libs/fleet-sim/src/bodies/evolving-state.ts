import { derivedStream, type Random } from '../rng';

/**
 * The operator-relevant state of a simulated target at each data version: version 0 is
 * built from the target's seed, version v applies one event (drawn from the stream of
 * (seed, target, v)) to version v - 1. Both simulators ask for versions in increasing
 * order, so the latest state is kept and moved forward; asking for an older version
 * rebuilds from 0 (correct, only slower).
 */
export class EvolvingState<S> {
  private version = 0;
  private state: S;

  constructor(
    private readonly seed: number,
    private readonly targetName: string,
    private readonly initial: () => S,
    private readonly applyEvent: (state: S, random: Random, version: number) => void,
  ) {
    this.state = initial();
  }

  at(version: number): S {
    if (version < this.version) {
      this.version = 0;
      this.state = this.initial();
    }
    while (this.version < version) {
      this.version += 1;
      this.applyEvent(this.state, derivedStream(this.seed, this.targetName, 'event', this.version), this.version);
    }
    return this.state;
  }
}

/** A stream for the gauges of one answer: counters and gauges move on every answer. */
export function answerStream(seed: number, targetName: string, atMs: number): Random {
  return derivedStream(seed, targetName, 'answer', Math.floor(atMs));
}

export function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)];
}
