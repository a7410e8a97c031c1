import type { DynamicModule } from '@nestjs/common';
import { AdaptivePollingPersistenceModule } from 'nestjs-adaptive-polling/persistence';
import { AdaptivePollingPrometheusModule } from 'nestjs-adaptive-polling/prometheus';

/** Persistence on SQLite and `/metrics`, from their subpaths. */
export function integrationModules(): DynamicModule[] {
  const sqlitePath = process.env.SQLITE_PATH;
  if (!sqlitePath) throw new Error('SQLITE_PATH is not set');
  return [AdaptivePollingPersistenceModule.forRoot({ sqlitePath }), AdaptivePollingPrometheusModule.forRoot()];
}
