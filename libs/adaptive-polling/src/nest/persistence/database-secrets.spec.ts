import { describe, expect, it } from 'vitest';
import { DatabaseSecrets, describeDatabase } from './database-secrets';

describe('DatabaseSecrets', () => {
  const url = 'postgres://app:p%40ss-w0rd!@db.internal:5433/polling?sslmode=require';
  const secrets = new DatabaseSecrets(url);

  it('masks the URL and its password, raw and decoded, in any message', () => {
    const error = new Error(`connect to ${url} failed; password "p@ss-w0rd!" rejected (p%40ss-w0rd!)`);
    const text = secrets.describeError(error);
    expect(text).not.toContain('p@ss-w0rd!');
    expect(text).not.toContain('p%40ss-w0rd!');
    expect(text).not.toContain(url);
    expect(text).toContain('***');
  });

  it('also redacts credentials of other URLs and keeps messages on one line', () => {
    const text = secrets.describeError(new Error('upstream\nhttps://user:other-secret@host/x failed'));
    expect(text).not.toContain('other-secret');
    expect(text).not.toContain('\n');
  });

  it('describes where data is kept without user or password', () => {
    expect(describeDatabase(url, 'x')).toBe('PostgreSQL at db.internal:5433/polling');
    expect(describeDatabase(null, './data/a.sqlite')).toBe('SQLite at ./data/a.sqlite');
  });
});
