/** A document may be served while it is refreshed for up to this many cache periods. */
const STALE_PERIODS = 10;

interface Entry<T> {
  /** performance.now() when the read started. */
  startedAt: number;
  value: Promise<T>;
  /** The read and its preparation have succeeded. */
  ready: boolean;
  /** Invalidation generation the read started in. */
  generation: number;
}

/**
 * One read reused for `ttlMs()` and shared while in flight. Once older than
 * that, the next request still gets it (stale-while-revalidate, for up to 10
 * periods) while a fresh one is built in the background, swapped in once
 * `prepare` (e.g. serialising the default page) has finished, so requests do
 * not wait for a rebuild. invalidate() makes the next request wait for a
 * fresh read. A failed read is not reused. `ttlMs() = 0` reads every time.
 */
export class HealthReadCache<T> {
  private cached: Entry<T> | null = null;
  /** A background refresh in flight. */
  private refreshing: Entry<T> | null = null;
  private generation = 0;

  constructor(
    private readonly ttlMs: () => number,
    private readonly read: () => Promise<T>,
    private readonly prepare: (value: T) => Promise<unknown> = () => Promise.resolve(),
  ) {}

  current(): Promise<T> {
    const ttl = this.ttlMs();
    const now = performance.now();
    const cached = this.cached;
    if (cached && now - cached.startedAt < ttl) return cached.value;
    if (cached?.ready && now - cached.startedAt < ttl * STALE_PERIODS) {
      this.refreshInBackground(now);
      return cached.value;
    }
    // Nothing usable: wait for a read (sharing a refresh already in flight).
    const entry = this.refreshing ?? this.startRead(now);
    this.refreshing = null;
    this.cached = entry;
    return entry.value;
  }

  invalidate(): void {
    this.generation++;
    this.cached = null;
    this.refreshing = null;
  }

  private refreshInBackground(now: number): void {
    if (this.refreshing) return;
    const entry = this.startRead(now);
    this.refreshing = entry;
    entry.value.then(this.prepare).then(
      () => {
        if (this.refreshing !== entry) return;
        this.refreshing = null;
        if (entry.generation === this.generation) this.cached = entry;
      },
      () => undefined,
    );
  }

  private startRead(now: number): Entry<T> {
    const entry: Entry<T> = { startedAt: now, value: this.read(), ready: false, generation: this.generation };
    // Ready once read: `prepare` is waited for only before a background refresh is swapped in.
    entry.value.then(
      () => {
        entry.ready = true;
      },
      () => {
        if (this.cached === entry) this.cached = null;
        if (this.refreshing === entry) this.refreshing = null;
      },
    );
    return entry;
  }
}
