// The pg driver ships no types and @types/pg is not a dependency; the
// scenarios only open a client and run one query.
declare module 'pg';
