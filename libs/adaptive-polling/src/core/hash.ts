import { createHash } from 'node:crypto';
import { hashCircularResult } from './messages';

/**
 * The change signal: a hash of a poll result, compared with the previous
 * poll's to learn how often a target's data really changes.
 *
 * - Buffer, Uint8Array and string results hash their bytes (strings as UTF-8),
 *   so a string and a Buffer of the same bytes hash alike.
 * - Other values hash a canonical JSON: object keys sorted at every depth, so
 *   the order an API happens to list keys in is not mistaken for a change.
 *   Otherwise it follows JSON.stringify (undefined, functions and symbols
 *   skipped in objects and null in arrays, `toJSON` honoured, NaN -> null).
 *   Map and Set, which JSON.stringify would flatten to `{}` and so hide every
 *   change, are hashed by their content; bigint by its digits.
 * - null and undefined hash to one fixed value.
 */
export function stableHash(result: unknown): string {
  // A poller that returns nothing (it only checks reachability) is common: no hash to compute.
  if (result === null || result === undefined) return NULL_HASH;
  const sha1 = createHash('sha1');
  if (typeof result === 'string') return sha1.update(result, 'utf8').digest('hex');
  if (result instanceof Uint8Array) return sha1.update(result).digest('hex');
  return sha1.update(canonicalJson(result, new Set()) ?? 'null', 'utf8').digest('hex');
}

const NULL_HASH = createHash('sha1').update('null', 'utf8').digest('hex');

/** JSON text with sorted keys; undefined where JSON.stringify would leave the value out. */
function canonicalJson(value: unknown, ancestors: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(`${value}n`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }

  const object = value;
  if (ancestors.has(object)) throw new TypeError(hashCircularResult());
  ancestors.add(object);
  try {
    return canonicalObject(object, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function canonicalObject(object: object, ancestors: Set<object>): string | undefined {
  const withToJson = object as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    return canonicalJson((withToJson.toJSON as () => unknown).call(object), ancestors);
  }
  if (Array.isArray(object)) {
    return `[${object.map((item) => canonicalJson(item, ancestors) ?? 'null').join(',')}]`;
  }
  if (object instanceof Map) {
    const entries = [...object.entries()].map(
      ([key, item]) => `[${canonicalJson(key, ancestors) ?? 'null'},${canonicalJson(item, ancestors) ?? 'null'}]`,
    );
    return `{"$map":[${entries.sort().join(',')}]}`;
  }
  if (object instanceof Set) {
    const items = [...object].map((item) => canonicalJson(item, ancestors) ?? 'null');
    return `{"$set":[${items.sort().join(',')}]}`;
  }

  const record = object as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const json = canonicalJson(record[key], ancestors);
    if (json !== undefined) members.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${members.join(',')}}`;
}
