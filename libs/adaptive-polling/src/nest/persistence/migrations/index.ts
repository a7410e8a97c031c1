import { CreateAdaptivePollingTables1766448000000 } from './1766448000000-create-adaptive-polling-tables';

/** Every migration of the library's connection, oldest first; run at start-up (`migrationsRun`). */
export const PERSISTENCE_MIGRATIONS = [CreateAdaptivePollingTables1766448000000];
