import { randomBytes } from 'node:crypto';
import { API_TOKEN_ENV } from 'nestjs-adaptive-polling';

/** The demo's API token: the one in the environment, or a fresh random one. */
export interface DemoApiToken {
  /** Set when the demo generated the token (ADAPTIVE_POLLING_API_TOKEN unset): print it once. */
  generated: string | null;
}

/**
 * When ADAPTIVE_POLLING_API_TOKEN is unset the demo does not run its API
 * open: it generates a token (256 random bits) for this run, hands it to the
 * module as `api.token` and prints it once at start.
 */
export function demoApiToken(env: NodeJS.ProcessEnv): DemoApiToken {
  if ((env[API_TOKEN_ENV] ?? '').trim() !== '') return { generated: null };
  return { generated: randomBytes(32).toString('base64url') };
}
