import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { pageParamInvalid, pageParamRepeated } from './api-messages';
import { DEFAULT_HEALTH_PAGE, MAX_HEALTH_PAGE_LIMIT, type HealthPageRequest } from './scheduler-health.builder';

const WHOLE_NUMBER = /^\d{1,15}$/;

/**
 * Validates the health route's `offset` and `limit` query parameters (whole
 * numbers; limit at most MAX_HEALTH_PAGE_LIMIT). Bad input is one 400 naming
 * every bad field and why, so a client fixes all of them at once.
 */
@Injectable()
export class HealthPagePipe implements PipeTransform<unknown, HealthPageRequest> {
  transform(query: unknown): HealthPageRequest {
    const params = (query ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    const offset = wholeNumber(params, 'offset', DEFAULT_HEALTH_PAGE.offset, Number.MAX_SAFE_INTEGER, problems);
    const limit = wholeNumber(params, 'limit', DEFAULT_HEALTH_PAGE.limit, MAX_HEALTH_PAGE_LIMIT, problems);
    if (problems.length > 0) throw new BadRequestException(problems.join('; '));
    return { offset, limit };
  }
}

function wholeNumber(
  params: Record<string, unknown>,
  field: 'offset' | 'limit',
  fallback: number,
  max: number,
  problems: string[],
): number {
  const raw = params[field];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') {
    // Express gives an array for `?limit=1&limit=2` and an object for `?limit[a]=1`.
    problems.push(Array.isArray(raw) ? pageParamRepeated(field) : pageParamInvalid(field, JSON.stringify(raw) ?? 'undefined', rule(max)));
    return fallback;
  }
  const value = WHOLE_NUMBER.test(raw) ? Number(raw) : Number.NaN;
  if (!(value <= max)) {
    problems.push(pageParamInvalid(field, raw, rule(max)));
    return fallback;
  }
  return value;
}

function rule(max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? 'must be a whole number >= 0' : `must be a whole number from 0 to ${max}`;
}
