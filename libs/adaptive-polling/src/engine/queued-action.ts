import { isOperatorAction, type OperatorAction } from '../core/operator-actions';

/** Who asked for an action and when: carried with it to the run that applies it, for the audit trail. */
export interface QueuedAction {
  action: OperatorAction | 'refresh';
  /** `operator:<name>` for API calls, `code` for the host app's own calls. */
  actor: string;
  askedAtMs: number;
}

/** `action` alone (older entries, 'refresh'), or `action|askedAtMs|actor` (the actor last: it may hold '|'). */
export function encodeQueuedAction(queued: QueuedAction): string {
  return `${queued.action}|${queued.askedAtMs}|${queued.actor}`;
}

export function decodeQueuedAction(raw: string, fallbackAtMs: number): QueuedAction | null {
  const [action, at, ...actor] = raw.split('|');
  if (action !== 'refresh' && !isOperatorAction(action)) return null;
  const askedAtMs = Number(at);
  return {
    action,
    actor: actor.length > 0 ? actor.join('|') : 'code',
    askedAtMs: Number.isFinite(askedAtMs) && at !== undefined ? askedAtMs : fallbackAtMs,
  };
}
