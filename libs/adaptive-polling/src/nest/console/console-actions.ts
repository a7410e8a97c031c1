import type { MonitoringActionsService } from '../api/monitoring-actions.service';
import type { TargetsService } from '../api/targets.service';

/** The buttons of the target page, each one existing service call (validated and audited there). */
export const CONSOLE_ACTIONS = ['pause', 'resume', 'reset-breaker', 'retry', 'purge', 'poll'] as const;
export type ConsoleAction = (typeof CONSOLE_ACTIONS)[number];

export function isConsoleAction(value: unknown): value is ConsoleAction {
  return typeof value === 'string' && (CONSOLE_ACTIONS as readonly string[]).includes(value);
}

export function runConsoleAction(
  action: ConsoleAction,
  key: string,
  actor: string,
  services: { actions: MonitoringActionsService; targets: TargetsService },
): Promise<unknown> {
  const { actions, targets } = services;
  switch (action) {
    case 'pause':
      return actions.pause(key, actor);
    case 'resume':
      return actions.resume(key, actor);
    case 'reset-breaker':
      return actions.resetBreaker(key, actor);
    case 'retry':
      return actions.retryDeadLetter(key, actor);
    case 'purge':
      return actions.purgeDeadLetter(key, actor);
    case 'poll':
      return targets.pollNow(key, actor);
  }
}
