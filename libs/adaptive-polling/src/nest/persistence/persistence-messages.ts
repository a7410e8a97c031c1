/** Log lines of the persistence layer, in one place. Every caller passes secret-free text. */
export const persistenceMessages = {
  connected: (where: string) => `persistence: ${where} connected, migrations applied`,
  unreachableAtStart: (where: string, error: string) =>
    `persistence: ${where} is unreachable at start-up (${error}); polling runs without it, ` +
    'writes are buffered and the connection is retried in the background',
  writeFailed: (pending: number, retryInMs: number, error: string) =>
    `persistence: writing ${pending} buffered change(s) failed (${error}); retrying in ${Math.round(retryInMs)} ms`,
  recovered: (written: number, downForMs: number) =>
    `persistence: database answers again after ${Math.round(downForMs / 1000)} s; ${written} buffered change(s) written`,
  recordsDropped: (dropped: number, capacity: number) =>
    `persistence: the write buffer is full (${capacity} audit records); ${dropped} oldest audit record(s) dropped so far`,
  lostAtShutdown: (pending: number, error: string) =>
    `persistence: ${pending} buffered change(s) could not be written before shutdown (${error}); ` +
    'dead letters are re-synchronised from Redis at the next start, audit records among them are lost',
  targetsUnavailable: (error: string) =>
    `persistence: run-time targets could not be read at start-up (${error}); starting with the targets Redis holds`,
  recoveryUnavailable: (key: string, error: string) =>
    `persistence: dead letter of "${key}" could not be read (${error}); its job starts without it`,
  rollupFlushFailed: (error: string) => `persistence: poll rollups not written (${error}); kept in Redis for the next run`,
} as const;
