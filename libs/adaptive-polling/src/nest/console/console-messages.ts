/** Every message text of the console, in one place. */

export const CONSOLE_TITLE = 'Adaptive polling';
export const CONSOLE_UNAUTHORIZED =
  'Unauthorized: sign in to the console (the API token), or send HTTP Basic with the token as the password';
export const CONSOLE_CSRF_REFUSED = "Forbidden: a console action needs the page's CSRF token and a same-origin request";
export const CONSOLE_LOGIN_FAILED = 'That is not the API token.';
export const CONSOLE_NOT_FOUND = 'Not found';
export const CONSOLE_UNKNOWN_ACTION = 'Unknown action';
export const CONSOLE_NEEDS_POLLING_MODULE =
  'AdaptivePollingConsoleModule needs AdaptivePollingModule in the same app, with its API served (api is not false)';
export const CONSOLE_GUARD_UNSUPPORTED =
  'AdaptivePollingConsoleModule signs in with the API token; the API uses a host guard (api.guard), which the console cannot use';
export const CONSOLE_WITHOUT_AUTH_WARNING = 'The polling console is served WITHOUT authentication because the API has auth: false';
export const CONSOLE_NEEDS_EXPRESS = 'AdaptivePollingConsoleModule is mounted on the Express adapter (@nestjs/platform-express)';

export function consoleServed(path: string, auth: string): string {
  return `Polling console at ${path}/; ${auth}`;
}
