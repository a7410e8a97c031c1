/**
 * Messages of the target management routes (validation problems and
 * conflicts), kept in one place. None of them quotes a connection value.
 */

import { echo } from './api-messages';

export const TARGET_PATCH_NOT_OBJECT = 'must be a JSON object with the fields to change';
export const TARGET_PATCH_EMPTY = 'has no field to change';
export const TARGET_FIELD_IMMUTABLE = 'cannot be changed: it is part of the target key (delete the target and create it anew)';
export const TARGET_OBJECT_NOT_NULL = 'must be an object (a merge patch: give a member null to remove it)';
export const TARGET_VALUE_NOT_NULL = 'must not be null';

export function targetFieldUnknown(known: readonly string[]): string {
  return `is not a field a PATCH can change (known: ${known.join(', ')})`;
}

export function noPollerForType(type: string, known: string): string {
  return `no poller handles type ${echo(type)} (known: ${known})`;
}

export function queryParamUnknown(known: readonly string[]): string {
  return `is not a query parameter of this route (known: ${known.join(', ')})`;
}

export const QUERY_PARAM_REPEATED = 'is given more than once: give it once';

export function wholeNumberInRange(max: number | null): string {
  return max === null ? 'must be a whole number >= 0' : `must be a whole number from 0 to ${max}`;
}

export function targetExists(key: string): string {
  return `a target ${echo(key)} is already registered`;
}

export function invalidRequest(problems: ReadonlyArray<{ field: string; message: string }>): string {
  return `invalid request: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;
}
