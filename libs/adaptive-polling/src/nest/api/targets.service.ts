import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { targetKey, type TargetInput } from '../../core/target';
import type { OptionProblem } from '../../core/types';
import { EngineInputError, TargetConflictError } from '../../engine/engine-errors';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { AuditTrailService, viaOf } from '../audit/audit-trail.service';
import { PollingEngineHost } from '../polling-engine.host';
import { TargetRegistryService } from '../target-registry.service';
import { targetNotFound } from './api-messages';
import { engineErrorToHttp } from './engine-http-errors';
import { SchedulerHealthService } from './scheduler-health.service';
import { changesOf, createBodyProblems, invalidRequestError, patchBodyProblems, type TargetListQuery } from './target-body';
import { noPollerForType, targetExists } from './target-messages';
import type { PollNowResult, PollNowSkipReason, TargetDetailView, TargetPage, TargetView } from './targets.types';
import { targetDetailView, targetView } from './targets.view';

/**
 * Target management over HTTP: the run-time registry with validation that
 * names every bad field, 404 for unknown targets, 409 for duplicates, and
 * secret-free answers. Every change is audited with the caller's actor (the
 * registry's events for create, update, delete, pause and resume; a record
 * of its own for poll-now).
 */
@Injectable()
export class TargetsService {
  constructor(
    private readonly registry: TargetRegistryService,
    private readonly host: PollingEngineHost,
    private readonly audit: AuditTrailService,
    private readonly health: SchedulerHealthService,
  ) {}

  async list(query: TargetListQuery): Promise<TargetPage> {
    const all = await this.registry.list();
    const matching = query.type === null ? all : all.filter((def) => def.type === query.type);
    const items = matching.slice(query.offset, query.offset + query.limit).map(targetView);
    return { total: matching.length, offset: query.offset, limit: query.limit, items };
  }

  async get(key: string): Promise<TargetDetailView> {
    const snap = await this.host.engine.snapshot(key);
    if (!snap) throw new NotFoundException(targetNotFound(key));
    return targetDetailView(snap);
  }

  async create(body: unknown, actor: string): Promise<TargetView> {
    const problems = createBodyProblems(body);
    const input = body as TargetInput;
    if (!problems.some((p) => p.field === 'body.type') && typeof input?.type === 'string' && !this.host.engine.handlesType(input.type)) {
      problems.push({ field: 'body.type', message: noPollerForType(input.type, this.host.engine.knownTypes()) });
    }
    if (problems.length > 0) throw invalidRequestError(problems);
    const def = await asHttp(() => this.registry.add(input, actor));
    this.health.invalidate();
    return targetView(def);
  }

  /** Merges the body into the target (connection and metadata as merge patches); `paused` pauses or resumes. */
  async update(key: string, body: unknown, actor: string): Promise<TargetView> {
    const problems = patchBodyProblems(body);
    if (problems.length > 0) throw invalidRequestError(problems);
    const current = await this.registry.get(key);
    if (!current) throw new NotFoundException(targetNotFound(key));
    const { paused, ...changes } = changesOf(current, body as Record<string, unknown>);
    let def = current;
    try {
      if (Object.keys(changes).length > 0) def = await asHttp(() => this.registry.update(key, changes, actor));
      if (paused !== undefined && paused !== def.paused) {
        def = await asHttp(() => (paused ? this.registry.pause(key, actor) : this.registry.resume(key, actor)));
      }
    } finally {
      this.health.invalidate();
    }
    return targetView(def);
  }

  /** Removes the target and its job: it is not polled again. */
  async remove(key: string, actor: string): Promise<TargetView> {
    const def = await asHttp(() => this.registry.remove(key, actor));
    this.health.invalidate();
    return targetView(def);
  }

  /** Makes the target's job due now (breaker and dead-letter gates still apply in that run); audited either way. */
  async pollNow(key: string, actor: string): Promise<PollNowResult> {
    const snap = await this.host.engine.snapshot(key);
    if (!snap) throw new NotFoundException(targetNotFound(key));
    const now = this.host.config.clock();
    // A paused target is not polled: its job is left where the pause put it.
    const triggered = !snap.definition.paused && (await asHttp(() => this.host.engine.triggerNow(key)));
    const reason = triggered ? null : skipReason(snap);
    this.audit.record({
      atMs: now,
      actor,
      action: 'target.poll',
      target: key,
      before: null,
      after: null,
      detail: { via: viaOf(actor), triggered, ...(reason ? { reason } : {}) },
    });
    this.health.invalidate();
    return { action: 'target.poll', instance: targetKey(snap.definition), actor, at: new Date(now).toISOString(), triggered, reason };
  }
}

function skipReason(snap: TargetSnapshot): PollNowSkipReason {
  if (snap.definition.paused) return 'paused';
  if (snap.running) return 'running';
  return snap.scheduled ? 'already_due' : 'not_scheduled';
}

/**
 * Runs a registry call with its errors as HTTP errors: a duplicate is 409,
 * the engine's own input checks (they run after ours, and see concurrent
 * changes) the same 400 body as ours, an unknown target 404.
 */
async function asHttp<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TargetConflictError) throw new ConflictException(targetExists(error.key));
    if (error instanceof EngineInputError) {
      const problems: OptionProblem[] = error.problems.map((p) => ({ ...p, field: p.field.replace(/^target\b/, 'body') }));
      throw invalidRequestError(problems);
    }
    throw engineErrorToHttp(error);
  }
}
