import { isSecretKey, redactSecrets } from '../../core/redact';
import type { SafeConnection, SafeConnectionValue } from './scheduler-health.types';

const MAX_DEPTH = 4;
const MAX_STRING = 500;
const MAX_ARRAY = 50;

/** The core's rule: a field whose name holds a secret is left out of health output. */
export const isSecretFieldName = isSecretKey;

function safeValue(value: unknown, depth: number): SafeConnectionValue | undefined {
  if (value === null) return null;
  if (typeof value === 'string') {
    const redacted = redactSecrets(value);
    return redacted.length > MAX_STRING ? `${redacted.slice(0, MAX_STRING)}...` : redacted;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    return value
      .slice(0, MAX_ARRAY)
      .map((item) => safeValue(item, depth + 1))
      .filter((item): item is SafeConnectionValue => item !== undefined);
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return safeObject(value as Record<string, unknown>, depth + 1);
  }
  return undefined; // Buffers, class instances, functions: never shown
}

function safeObject(source: Record<string, unknown>, depth: number): SafeConnection {
  const out: SafeConnection = {};
  for (const name of Object.keys(source).sort()) {
    if (isSecretFieldName(name)) continue;
    const value = safeValue(source[name], depth);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * What a target's connection may show in health output: fields whose name
 * looks secret are dropped, credentials and secret query values inside
 * strings are masked (`redactSecrets`), only plain JSON values are kept.
 */
export function safeConnectionSummary(connection: Record<string, unknown>): SafeConnection {
  return safeObject(connection ?? {}, 0);
}
