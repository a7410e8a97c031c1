import { Injectable, type OnModuleInit } from '@nestjs/common';
import { targetKey } from '../../core/target';
import { scanNodesOf } from '../../engine/redis-connection';
import { PollingEngineHost } from '../polling-engine.host';
import { ReplicaDirectoryService } from '../replicas/replica-directory.service';
import { HousekeepingService } from './housekeeping.service';

const SCAN_COUNT = 200;

/**
 * Removes leftovers: operator-action lists of targets that no longer exist
 * (e.g. removed while a poll ran), and replicas not seen for the retention
 * period. Skipped while Redis has lost the registry (nothing can be told
 * apart until the engine has rebuilt it).
 */
@Injectable()
export class JanitorTask implements OnModuleInit {
  static readonly taskName = 'janitor';

  constructor(
    private readonly host: PollingEngineHost,
    private readonly housekeeping: HousekeepingService,
    private readonly replicas: ReplicaDirectoryService,
  ) {}

  onModuleInit(): void {
    this.housekeeping.register({
      name: JanitorTask.taskName,
      intervalMs: this.housekeeping.options.janitorIntervalMs,
      run: () => this.run(),
    });
  }

  async run(): Promise<Record<string, number>> {
    const replicasForgotten = await this.replicas.prune();
    const opsListsRemoved = await this.removeOrphanOpsLists();
    return { opsListsRemoved, replicasForgotten };
  }

  private async removeOrphanOpsLists(): Promise<number> {
    const { engine } = this.host;
    const redis = engine.redis;
    if ((await redis.exists(engine.keys.targetsVersion)) === 0) return 0;
    const known = new Set((await engine.listTargets()).map((def) => targetKey(def)));
    let removed = 0;
    // Each shard's lists start with its queue's prefix; on a cluster each master is scanned.
    for (const opsPrefix of engine.opsListPrefixes()) {
      for (const node of scanNodesOf(redis)) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${escapeGlob(opsPrefix)}*`, 'COUNT', SCAN_COUNT);
          cursor = next;
          const orphans = keys.filter((k) => !known.has(k.slice(opsPrefix.length)));
          if (orphans.length > 0) {
            // Re-check each against the registry itself: a target may have been added since the list was read.
            const exists = await Promise.all(orphans.map((k) => redis.hexists(engine.keys.targets, k.slice(opsPrefix.length))));
            const gone = orphans.filter((_, i) => exists[i] === 0);
            // One prefix's lists share a slot (its queue's hash tag), so one DEL takes them all.
            if (gone.length > 0) removed += await redis.del(...gone);
          }
        } while (cursor !== '0');
      }
    }
    return removed;
  }
}

/** Escapes Redis glob characters so a prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
