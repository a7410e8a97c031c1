import type { EngineEvents } from '../../libs/adaptive-polling/src/engine/engine-events';

/**
 * How late polls start against their due time: the `waitMs` of the engine's
 * 'poll:started' (start minus the due time written with the reschedule),
 * collected only between start() and stop().
 */
export class LatenessRecorder {
  private readonly values: number[] = [];
  private recording = false;

  constructor(events: EngineEvents) {
    events.on('poll:started', (e) => {
      if (this.recording) this.values.push(e.waitMs);
    });
  }

  /** Starts a fresh recording (drops values of an earlier one). */
  start(): void {
    this.values.length = 0;
    this.recording = true;
  }

  /** Stops recording; the values recorded since start() (ms). */
  stop(): number[] {
    this.recording = false;
    return [...this.values];
  }
}
