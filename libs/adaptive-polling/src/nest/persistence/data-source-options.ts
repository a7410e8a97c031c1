import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ADAPTIVE_POLLING_DATA_SOURCE, MIGRATIONS_TABLE } from './persistence.constants';
import { PERSISTENCE_ENTITIES } from './entities';
import { PERSISTENCE_MIGRATIONS } from './migrations';
import type { ResolvedPersistenceOptions } from './persistence-options';

/** How long one PostgreSQL connection attempt may take, ms. */
const PG_CONNECT_TIMEOUT_MS = 5_000;
/** How long a PostgreSQL query may wait for a pooled connection, ms. */
const PG_POOL_WAIT_MS = 5_000;

/**
 * Options of the library's named TypeORM connection. `manualInitialization`:
 * the connection (and its migrations) is opened by DatabaseConnection, which
 * lets the app start, and polling run, while the database is unreachable.
 */
export function dataSourceOptions(options: ResolvedPersistenceOptions, onPoolError: (error: unknown) => void): TypeOrmModuleOptions {
  const common = {
    name: ADAPTIVE_POLLING_DATA_SOURCE,
    entities: PERSISTENCE_ENTITIES,
    migrations: PERSISTENCE_MIGRATIONS,
    migrationsRun: true,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
    manualInitialization: true,
  };
  if (options.url) {
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      ...(options.schema ? { schema: options.schema } : {}),
      connectTimeoutMS: PG_CONNECT_TIMEOUT_MS,
      applicationName: 'adaptive-polling',
      poolErrorHandler: onPoolError,
      extra: { max: 5, connectionTimeoutMillis: PG_POOL_WAIT_MS },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: options.sqlitePath,
    enableWAL: true,
    // Busy timeout: better-sqlite3 waits synchronously, so keep it short.
    timeout: options.sqliteBusyTimeoutMs,
  };
}
