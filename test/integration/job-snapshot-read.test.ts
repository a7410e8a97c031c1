import { describe, expect, it } from 'vitest';
import { readJobDataAndLock } from '../../libs/adaptive-polling/src/engine/job-snapshot-read';
import { usePrivateRedis } from '../support/redis-fixture';

const fixture = usePrivateRedis();

describe('readJobDataAndLock', () => {
  it('reads each job’s data and lock in key order; a missing job is null and unlocked', async () => {
    await fixture.client.hset('bull:q:a', 'data', '{"n":1}', 'opts', '{}');
    await fixture.client.hset('bull:q:b', 'data', '{"n":2}');
    await fixture.client.hset('bull:q:no-data', 'opts', '{}');
    await fixture.client.set('bull:q:b:lock', 'token');
    await fixture.client.set('bull:q:gone:lock', 'token');
    const rows = await readJobDataAndLock(fixture.client, ['bull:q:b', 'bull:q:missing', 'bull:q:a', 'bull:q:no-data', 'bull:q:gone']);
    expect(rows).toEqual([
      { raw: '{"n":2}', locked: true },
      { raw: null, locked: false },
      { raw: '{"n":1}', locked: false },
      { raw: null, locked: false },
      { raw: null, locked: true },
    ]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await readJobDataAndLock(fixture.client, [])).toEqual([]);
  });
});
