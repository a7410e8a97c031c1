import type { OptionProblem } from './types';

// eslint-disable-next-line no-control-regex -- control characters are exactly what names may not hold
const CONTROL_CHARACTERS = /[\u0000-\u001f]/;

/**
 * A target (the seed calls it an instance): one remote endpoint polled by the
 * poller registered for its `type`. Its key `type::name` names it everywhere:
 * health output, metrics labels, management routes.
 */
export interface TargetDefinition {
  name: string;
  type: string;
  displayName: string;
  /** Connection details for the poller. May hold secrets: never logged or shown. */
  connection: Record<string, unknown>;
  /** Free user data handed to the poller. */
  metadata: Record<string, unknown>;
  /** A fixed interval for this target, bypassing the policy (ms), or null. */
  fixedIntervalMs: number | null;
  paused: boolean;
}

/** What a user writes: only name and type are required. */
export interface TargetInput {
  name: string;
  type: string;
  displayName?: string;
  connection?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** Fixed interval in ms, bypassing the policy. */
  fixedIntervalMs?: number | null;
  paused?: boolean;
}

export const TARGET_KEY_SEPARATOR = '::';

const TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const MAX_NAME_LENGTH = 200;

export function targetKey(target: { type: string; name: string }): string {
  return `${target.type}${TARGET_KEY_SEPARATOR}${target.name}`;
}

/** Splits `type::name`; null when the key has no separator. */
export function parseTargetKey(key: string): { type: string; name: string } | null {
  const at = key.indexOf(TARGET_KEY_SEPARATOR);
  if (at <= 0) return null;
  return { type: key.slice(0, at), name: key.slice(at + TARGET_KEY_SEPARATOR.length) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one target as a user wrote it; returns every problem, each naming
 * its field under `path` (e.g. `targets[3].type`).
 */
export function validateTargetInput(input: unknown, path: string): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!isPlainObject(input)) {
    return [{ field: path, message: 'must be an object with at least name and type' }];
  }
  const { name, type, displayName, connection, metadata, fixedIntervalMs, paused } = input;
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push({ field: `${path}.name`, message: 'must be a non-empty string' });
  } else if (name.length > MAX_NAME_LENGTH) {
    problems.push({ field: `${path}.name`, message: `must be at most ${MAX_NAME_LENGTH} characters` });
  } else if (CONTROL_CHARACTERS.test(name)) {
    problems.push({ field: `${path}.name`, message: 'must not contain control characters' });
  }
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
    problems.push({
      field: `${path}.type`,
      message: 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit (e.g. pve)',
    });
  }
  if (displayName !== undefined && typeof displayName !== 'string') {
    problems.push({ field: `${path}.displayName`, message: 'must be a string' });
  }
  if (connection !== undefined && !isPlainObject(connection)) {
    problems.push({ field: `${path}.connection`, message: 'must be an object' });
  }
  if (metadata !== undefined && !isPlainObject(metadata)) {
    problems.push({ field: `${path}.metadata`, message: 'must be an object' });
  }
  if (
    fixedIntervalMs !== undefined &&
    fixedIntervalMs !== null &&
    (typeof fixedIntervalMs !== 'number' || !Number.isFinite(fixedIntervalMs) || fixedIntervalMs <= 0)
  ) {
    problems.push({ field: `${path}.fixedIntervalMs`, message: 'must be a positive number of milliseconds' });
  }
  if (paused !== undefined && typeof paused !== 'boolean') {
    problems.push({ field: `${path}.paused`, message: 'must be true or false' });
  }
  const known = new Set(['name', 'type', 'displayName', 'connection', 'metadata', 'fixedIntervalMs', 'paused']);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) problems.push({ field: `${path}.${key}`, message: 'is not a known target field' });
  }
  return problems;
}

/** Fills defaults; call after validateTargetInput found no problem. */
export function normaliseTarget(input: TargetInput): TargetDefinition {
  return {
    name: input.name,
    type: input.type,
    displayName: input.displayName ?? input.name,
    connection: input.connection ?? {},
    metadata: input.metadata ?? {},
    fixedIntervalMs: input.fixedIntervalMs ?? null,
    paused: input.paused ?? false,
  };
}
