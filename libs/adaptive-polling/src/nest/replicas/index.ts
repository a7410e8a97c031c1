import type { Provider, Type } from '@nestjs/common';
import { ADAPTIVE_POLLING_REPLICA_DIRECTORY } from '../extension-points';
import { ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS, resolveHousekeepingOptions } from '../housekeeping/housekeeping-options';
import { HousekeepingService } from '../housekeeping/housekeeping.service';
import { JanitorTask } from '../housekeeping/janitor.task';
import { FleetRepairTask } from '../housekeeping/fleet-repair.task';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from '../resolved-config';
import { ReplicaDirectoryService } from './replica-directory.service';
import { ReplicaHeartbeat } from './replica-heartbeat.service';
import { ADAPTIVE_POLLING_REPLICA_OPTIONS, resolveReplicaOptions } from './replica-options';

/**
 * Always-on providers (they need Redis only, not the database): replica
 * heartbeats and their directory, and housekeeping with its janitor and the fleet-aggregate repair.
 */
export const REPLICA_PROVIDERS: Provider[] = [
  {
    provide: ADAPTIVE_POLLING_REPLICA_OPTIONS,
    inject: [ADAPTIVE_POLLING_CONFIG],
    useFactory: (config: ResolvedModuleConfig) => resolveReplicaOptions(config.module.replicas),
  },
  {
    provide: ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS,
    inject: [ADAPTIVE_POLLING_CONFIG],
    useFactory: (config: ResolvedModuleConfig) => resolveHousekeepingOptions(config.module.housekeeping),
  },
  ReplicaHeartbeat,
  ReplicaDirectoryService,
  { provide: ADAPTIVE_POLLING_REPLICA_DIRECTORY, useExisting: ReplicaDirectoryService },
  HousekeepingService,
  JanitorTask,
  FleetRepairTask,
];

export const REPLICA_EXPORTS: Array<Type<unknown> | string | symbol> = [
  ReplicaHeartbeat,
  ReplicaDirectoryService,
  ADAPTIVE_POLLING_REPLICA_DIRECTORY,
  HousekeepingService,
];

export { ReplicaDirectoryService, type ReplicaDetail } from './replica-directory.service';
export { ReplicaHeartbeat } from './replica-heartbeat.service';
export type { AdaptivePollingReplicaOptions } from './replica-options';
