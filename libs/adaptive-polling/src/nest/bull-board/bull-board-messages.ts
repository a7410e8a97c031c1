/** Every message text of the Bull Board surface, in one place. */

export const BOARD_REALM = 'Adaptive polling queues';

export const BOARD_UNAUTHORIZED = 'Unauthorized: sign in with any user name and the adaptive polling API token as the password.\n';
export function boardTooManyFailures(retryAfterSeconds: number): string {
  return `Too many failed sign-ins from this address; retry in ${retryAfterSeconds} s.\n`;
}
export const BOARD_NOT_READY = 'Bull Board is starting; try again in a moment.\n';
export const BOARD_WITHOUT_AUTH_WARNING = 'Bull Board is served WITHOUT authentication because the API has auth: false';

export const BOARD_NEEDS_POLLING_MODULE =
  'AdaptivePollingBullBoardModule needs AdaptivePollingModule in the same app (its configuration was not found)';
export function boardTokenInvalid(problem: string): string {
  return `bullBoard.token ${problem}`;
}
export const BOARD_GUARD_NEEDS_TOKEN =
  'the API authenticates with a host guard, which Bull Board cannot use: give AdaptivePollingBullBoardModule.forRoot({ token })';

export function boardServed(route: string, queue: string, readOnly: boolean, auth: string): string {
  return `Bull Board at ${route} shows queue "${queue}"${readOnly ? ' (read-only)' : ''}; ${auth}`;
}

export function boardConfigSummary(problems: string[]): string {
  return `Bull Board cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

export const BOARD_NEEDS_TOKEN_WITHOUT_API =
  'token: the polling module serves no API (api: false), so Bull Board has no API token to check; give the board its own token';
