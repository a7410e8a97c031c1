import 'reflect-metadata';
import * as swagger from '@nestjs/swagger';
import { DEFERRED_OPENAPI, type DeferredOpenApiCall } from './openapi';

const REPLAYED = Symbol.for('nestjs-adaptive-polling:openapi-replayed');

type Decorate = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => unknown;

/** Classes an argument refers to (`type: Dto`, `type: () => Dto`, `[Dto]`), for the nested schemas. */
function referencedClasses(value: unknown, found: Set<object>): void {
  if (typeof value === 'function') {
    if (Reflect.hasOwnMetadata(DEFERRED_OPENAPI, value)) found.add(value);
    else if (value.length === 0 && !value.prototype) referencedClasses((value as () => unknown)(), found);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedClasses(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) referencedClasses(item, found);
  }
}

function replay(owner: object, calls: DeferredOpenApiCall[]): void {
  const decorators = swagger as unknown as Record<string, (...args: unknown[]) => Decorate>;
  for (const { decorator, args, key } of calls) {
    const decorate = decorators[decorator](...args);
    if (key === undefined) {
      decorate(owner);
      continue;
    }
    const proto = (owner as { prototype: object }).prototype;
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    if (descriptor && typeof descriptor.value === 'function') {
      const result = decorate(proto, key, descriptor);
      if (result) Object.defineProperty(proto, key, result as PropertyDescriptor);
    } else {
      decorate(proto, key);
    }
  }
}

/**
 * Applies the OpenAPI documentation of the given controllers (and of every
 * DTO they refer to) through @nestjs/swagger. Idempotent per class.
 */
export function replayOpenApi(roots: object[]): void {
  const pending = [...roots];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const owner = pending.pop() as object;
    if (seen.has(owner)) continue;
    seen.add(owner);
    const calls = (Reflect.getOwnMetadata(DEFERRED_OPENAPI, owner) as DeferredOpenApiCall[] | undefined) ?? [];
    const nested = new Set<object>();
    for (const call of calls) referencedClasses(call.args, nested);
    const parent = Object.getPrototypeOf(owner) as object | null;
    if (parent && Reflect.hasOwnMetadata(DEFERRED_OPENAPI, parent)) nested.add(parent);
    pending.push(...nested);
    if (Reflect.getOwnMetadata(REPLAYED, owner) === true) continue;
    Reflect.defineMetadata(REPLAYED, true, owner);
    replay(owner, calls);
  }
}
