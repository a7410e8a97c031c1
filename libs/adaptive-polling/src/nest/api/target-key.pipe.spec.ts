import { describe, expect, it } from 'vitest';
import { badRequestMessage } from './testing/bad-request-message';
import { TargetKeyPipe } from './target-key.pipe';

const pipe = new TargetKeyPipe();

function reason(value: unknown): string {
  return badRequestMessage(() => pipe.transform(value));
}

describe('TargetKeyPipe', () => {
  it('accepts type::name keys, names with any printable characters included', () => {
    expect(pipe.transform('pve::pve-1')).toBe('pve::pve-1');
    expect(pipe.transform('pbs::backup/store 1')).toBe('pbs::backup/store 1');
    expect(pipe.transform('pve::a::b')).toBe('pve::a::b');
  });

  it('says why a key is refused', () => {
    expect(reason('pve-1')).toContain('expected "type::name"');
    expect(reason('')).toContain('must be a target key');
    expect(reason('::name')).toContain('empty type');
    expect(reason('pve::')).toContain('empty name');
    expect(reason('bad type!::x')).toContain('type must be 1-64 letters');
    expect(reason(`pve::${'n'.repeat(201)}`)).toContain('name must be at most 200 characters');
    expect(reason('pve::a\u0001b')).toContain('control characters');
  });
});
