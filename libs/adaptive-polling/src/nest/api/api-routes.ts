import { PollingOptionsError } from '../../core/errors';
import { fieldMessage } from '../../core/messages';
import type { OptionProblem } from '../../core/types';

/** Where the health and management routes are mounted (before the app's global prefix). */
export const DEFAULT_API_BASE_PATH = 'api/monitoring';

/** The routes as fixed when the module is defined: mounted under `basePath`, or not served. */
export type ApiRoutes = { served: true; basePath: string } | { served: false; basePath: null };

/** Injection token of the module's `ApiRoutes`. */
export const ADAPTIVE_POLLING_API_ROUTES = Symbol('ADAPTIVE_POLLING_API_ROUTES');

const BASE_PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** Reads `api: false` or `api.basePath` (trimmed of slashes); throws naming the field when malformed. */
export function apiRoutesOf(api: false | { basePath?: unknown } | undefined, field = 'api.basePath'): ApiRoutes {
  if (api === false) return { served: false, basePath: null };
  const raw = api?.basePath;
  if (raw === undefined) return { served: true, basePath: DEFAULT_API_BASE_PATH };
  const trimmed = typeof raw === 'string' ? raw.trim().replace(/^\/+|\/+$/g, '') : null;
  if (trimmed === null || !BASE_PATH.test(trimmed)) {
    const problem: OptionProblem = {
      field,
      message: 'must be a URL path such as "api/monitoring" (letters, digits, "-", "_", ".", "~" between slashes)',
    };
    throw new PollingOptionsError([problem], fieldMessage(problem.field, problem.message));
  }
  return { served: true, basePath: trimmed };
}

/**
 * In forRootAsync the routes are fixed next to `useFactory`; a factory that
 * asks for other routes gets a clear error instead of being ignored.
 */
export function routesMismatch(fixed: ApiRoutes, fromFactory: false | { basePath?: unknown } | undefined): OptionProblem | null {
  if (fromFactory === false && fixed.served) {
    return { field: 'api', message: 'is false in the options factory: in forRootAsync, pass `api: false` next to useFactory' };
  }
  if (fromFactory && fromFactory.basePath !== undefined) {
    const asked = apiRoutesOf(fromFactory);
    if (asked.basePath !== fixed.basePath) {
      return {
        field: 'api.basePath',
        message:
          'is set in the options factory: in forRootAsync, pass `api: { basePath }` next to useFactory (routes are fixed when the module is defined)',
      };
    }
  }
  return null;
}
