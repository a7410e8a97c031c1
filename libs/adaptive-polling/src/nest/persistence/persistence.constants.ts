/**
 * Name of the library's own TypeORM connection: a named data source, so a
 * host app's default TypeORM connection (if any) is never touched.
 */
export const ADAPTIVE_POLLING_DATA_SOURCE = 'adaptive-polling';

/** Injection token of the resolved persistence options. */
export const ADAPTIVE_POLLING_PERSISTENCE_OPTIONS = Symbol('ADAPTIVE_POLLING_PERSISTENCE_OPTIONS');

/** The library's tables share this prefix; its migrations table too, apart from a host app's. */
export const TABLE_PREFIX = 'ap_';
export const MIGRATIONS_TABLE = 'ap_migrations';
