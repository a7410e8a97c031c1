/** What the Redis connections say about themselves, in one place. Descriptions come in already secret-free. */

export function redisDown(connection: string, where: string, reason: string): string {
  return `Redis ${where} unreachable (${connection}): ${reason}; retrying in the background, health answers 503 until it is back`;
}

export function redisBackUp(connection: string, where: string): string {
  return `Redis ${where} is back (${connection})`;
}

export function redisUrlScheme(where: string, scheme: string): string {
  return `Redis URL ${where} has scheme "${scheme}": expected redis:// or rediss://`;
}

export function redisNotAnswering(where: string): string {
  return `Redis ${where} is not answering`;
}

export function redisTimedOut(where: string, ms: number): string {
  return `Redis ${where} did not answer within ${ms} ms`;
}
