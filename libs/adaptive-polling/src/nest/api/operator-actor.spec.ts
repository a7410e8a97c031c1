import { describe, expect, it } from 'vitest';
import { actorFromUser } from './operator-actor';

describe('actorFromUser', () => {
  it.each([
    ['alice', 'operator:alice'],
    [42, 'operator:42'],
    [{ name: 'Bob Smith' }, 'operator:Bob_Smith'],
    [{ username: 'carol', id: 7 }, 'operator:carol'],
    [{ sub: 'auth0|123' }, 'operator:auth0_123'],
    [{ email: 'dave@example.org' }, 'operator:dave@example.org'],
    [{ roles: ['admin'] }, 'operator:unknown'],
    [undefined, 'operator:unknown'],
    ['   ', 'operator:unknown'],
  ])('%j -> %s', (user, actor) => {
    expect(actorFromUser(user)).toBe(actor);
  });

  it('keeps names short', () => {
    expect(actorFromUser('x'.repeat(500))).toHaveLength('operator:'.length + 100);
  });
});
