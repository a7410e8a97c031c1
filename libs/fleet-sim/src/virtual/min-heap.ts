/**
 * A small binary min-heap of scheduled runs, ordered by time and then by a
 * sequence number (the target's index), so equal times pop in a fixed,
 * reproducible order.
 */
export interface ScheduledRun {
  atMs: number;
  /** Tie-breaker; the simulator uses the target's index in the fleet. */
  order: number;
}

export class MinHeap<T extends ScheduledRun> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && before(items[l], items[smallest])) smallest = l;
        if (r < items.length && before(items[r], items[smallest])) smallest = r;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: ScheduledRun, b: ScheduledRun): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}
