import { BadRequestException } from '@nestjs/common';
import { validateTargetInput, type TargetDefinition } from '../../core/target';
import type { OptionProblem } from '../../core/types';
import {
  TARGET_FIELD_IMMUTABLE,
  TARGET_OBJECT_NOT_NULL,
  TARGET_VALUE_NOT_NULL,
  QUERY_PARAM_REPEATED,
  invalidRequest,
  queryParamUnknown,
  wholeNumberInRange,
  TARGET_PATCH_EMPTY,
  TARGET_PATCH_NOT_OBJECT,
  targetFieldUnknown,
} from './target-messages';

/** What a PATCH may change, after merging: everything but the key (type and name). */
export type TargetChanges = Partial<Pick<TargetDefinition, 'displayName' | 'connection' | 'metadata' | 'fixedIntervalMs' | 'paused'>>;

const PATCHABLE = ['displayName', 'connection', 'metadata', 'fixedIntervalMs', 'paused'] as const;
const KEY_FIELDS = ['name', 'type'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every problem of a create body, each naming its field (`body.name`, `body.connection`...). */
export function createBodyProblems(body: unknown): OptionProblem[] {
  return validateTargetInput(body, 'body');
}

/**
 * Every problem of a PATCH body. Objects (`connection`, `metadata`) are JSON
 * merge patches (RFC 7396): members given replace, `null` removes one, the
 * rest are kept, so a client that never saw the secrets (they are not
 * returned) can change a host without resending the password.
 */
export function patchBodyProblems(body: unknown): OptionProblem[] {
  if (!isPlainObject(body)) return [{ field: 'body', message: TARGET_PATCH_NOT_OBJECT }];
  const problems: OptionProblem[] = [];
  const known = new Set<string>(PATCHABLE);
  for (const field of Object.keys(body)) {
    if ((KEY_FIELDS as readonly string[]).includes(field)) problems.push({ field: `body.${field}`, message: TARGET_FIELD_IMMUTABLE });
    else if (!known.has(field)) problems.push({ field: `body.${field}`, message: targetFieldUnknown(PATCHABLE) });
  }
  if (Object.keys(body).length === 0) problems.push({ field: 'body', message: TARGET_PATCH_EMPTY });
  // The target rules check the type of each field given (with a stand-in key, which a PATCH cannot change).
  const given: Record<string, unknown> = { name: 'patch', type: 'patch' };
  for (const field of PATCHABLE) {
    if (body[field] === undefined) continue;
    if (field === 'fixedIntervalMs' && body[field] === null) continue;
    if (body[field] === null) {
      const message = field === 'connection' || field === 'metadata' ? TARGET_OBJECT_NOT_NULL : TARGET_VALUE_NOT_NULL;
      problems.push({ field: `body.${field}`, message });
      continue;
    }
    given[field] = body[field];
  }
  problems.push(...validateTargetInput(given, 'body').filter((p) => !problems.some((q) => q.field === p.field)));
  return problems;
}

/** RFC 7396 merge of `patch` into `current` (recursive on objects; `null` removes the member). */
export function mergePatch(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else if (isPlainObject(value) && isPlainObject(out[name])) out[name] = mergePatch(out[name], value);
    else out[name] = value;
  }
  return out;
}

/** The changes a valid PATCH body makes to `current`. */
export function changesOf(current: TargetDefinition, body: Record<string, unknown>): TargetChanges {
  const changes: TargetChanges = {};
  if (typeof body.displayName === 'string') changes.displayName = body.displayName;
  if (isPlainObject(body.connection)) changes.connection = mergePatch(current.connection, body.connection);
  if (isPlainObject(body.metadata)) changes.metadata = mergePatch(current.metadata, body.metadata);
  if (body.fixedIntervalMs !== undefined) changes.fixedIntervalMs = body.fixedIntervalMs as number | null;
  if (typeof body.paused === 'boolean') changes.paused = body.paused;
  return changes;
}

/** A 400 whose body lists every problem (`problems[]`: field and message) and says them all in `message`. */
export function invalidRequestError(problems: OptionProblem[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: invalidRequest(problems), problems });
}

/** `GET /targets` query: a page of the key-sorted list, optionally of one type. */
export interface TargetListQuery {
  offset: number;
  limit: number;
  type: string | null;
}

export const DEFAULT_TARGET_PAGE_LIMIT = 100;
export const MAX_TARGET_PAGE_LIMIT = 1_000;
const QUERY_PARAMS = ['offset', 'limit', 'type'] as const;
const WHOLE_NUMBER = /^\d{1,15}$/;

/** Reads the list query; every bad parameter is named at once. */
export function parseTargetListQuery(query: unknown): { value: TargetListQuery; problems: OptionProblem[] } {
  const params = isPlainObject(query) ? query : {};
  const problems: OptionProblem[] = [];
  for (const name of Object.keys(params)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(name))
      problems.push({ field: `query.${name}`, message: queryParamUnknown(QUERY_PARAMS) });
  }
  const text = (name: (typeof QUERY_PARAMS)[number]): string | undefined => {
    const raw = params[name];
    if (raw === undefined || typeof raw === 'string') return raw;
    problems.push({ field: `query.${name}`, message: Array.isArray(raw) ? QUERY_PARAM_REPEATED : wholeNumberInRange(null) });
    return undefined;
  };
  const whole = (name: 'offset' | 'limit', fallback: number, max: number | null): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = WHOLE_NUMBER.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isNaN(value) || (max !== null && value > max)) {
      problems.push({ field: `query.${name}`, message: wholeNumberInRange(max) });
      return fallback;
    }
    return value;
  };
  const offset = whole('offset', 0, null);
  const limit = whole('limit', DEFAULT_TARGET_PAGE_LIMIT, MAX_TARGET_PAGE_LIMIT);
  const type = text('type') ?? null;
  if (type !== null) problems.push(...validateTargetInput({ name: 'query', type }, 'query').filter((p) => p.field === 'query.type'));
  return { value: { offset, limit, type }, problems };
}
