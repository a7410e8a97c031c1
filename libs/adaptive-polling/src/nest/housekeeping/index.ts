export { HousekeepingService } from './housekeeping.service';
export { JanitorTask } from './janitor.task';
export { FleetRepairTask } from './fleet-repair.task';
export { RedisLock } from './redis-lock';
export type { HousekeepingOutcome, HousekeepingRunEvent, HousekeepingTask } from './housekeeping-task';
export {
  ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS,
  resolveHousekeepingOptions,
  type AdaptivePollingHousekeepingOptions,
  type ResolvedHousekeepingOptions,
} from './housekeeping-options';
