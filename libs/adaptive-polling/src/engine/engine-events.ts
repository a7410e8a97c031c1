import { EventEmitter } from 'node:events';
import type { ClassifiedFailure, Decision, PollEvent, TargetPollState } from '../core/types';
import type { OperatorAction } from '../core/operator-actions';
import type { TargetDefinition } from '../core/target';

export interface TargetRef {
  key: string;
  type: string;
  name: string;
}

export interface PollStartedEvent extends TargetRef {
  /** How late the poll started against its due time (>= 0). */
  waitMs: number;
}

export interface PollFinishedEvent extends TargetRef {
  success: boolean;
  durationMs: number;
  changed: boolean | null;
  failure: ClassifiedFailure | null;
  decision: Decision;
}

export interface TransitionEvent extends TargetRef {
  event: PollEvent;
  state: TargetPollState;
}

export interface OperatorActionEvent extends TargetRef {
  action: OperatorAction;
  before: TargetPollState | null;
  after: TargetPollState | null;
  /** When the run applied it. */
  atMs: number;
  /** Who asked: `operator:<name>` via the API, `code` from the host app. */
  actor: string;
  askedAtMs: number;
  /** The definition's pause flag at the run (state summaries show it). */
  paused: boolean;
}

/** A pause or resume as the registry applied it (compare-and-set on the definition). */
export interface PauseAppliedEvent extends TargetRef {
  before: boolean;
  after: boolean;
  actor: string;
  askedAtMs: number;
  atMs: number;
}

/** Where in a poll run an unexpected error happened. */
export type EngineErrorStage = 'rehome' | 'operator_actions' | 'read_target' | 'decide' | 'poll' | 'commit';
export const ENGINE_ERROR_STAGES: readonly EngineErrorStage[] = ['rehome', 'operator_actions', 'read_target', 'decide', 'poll', 'commit'];

export interface EngineErrorEvent extends TargetRef {
  stage: EngineErrorStage;
  /** Redacted. */
  message: string;
  /** The run had sent `poll:started` (and will send no `poll:finished`). */
  pollStarted: boolean;
}

export interface EngineEventMap {
  'poll:started': [PollStartedEvent];
  'poll:finished': [PollFinishedEvent];
  /** A poll that did not run: aborted by shutdown, or skipped as not due. */
  'poll:skipped': [TargetRef & { reason: string }];
  transition: [TransitionEvent];
  'operator:applied': [OperatorActionEvent];
  'target:added': [TargetRef & { definition: TargetDefinition; actor: string }];
  /** A definition changed (update, pause, resume). */
  'target:updated': [TargetRef & { definition: TargetDefinition; actor: string; pauseOnly?: boolean }];
  'target:removed': [TargetRef & { actor: string }];
  'target:paused': [PauseAppliedEvent];
  /** An unexpected error in a poll run: the target was rescheduled at its backoff (or, at `commit`, left to the stalled check). */
  'engine:error': [EngineErrorEvent];
  'schedule:rebuilt': [{ targets: number; reason: 'redis_lost' | 'jobs_missing'; jobsCreated: number }];
}

/**
 * Typed events the Nest layer listens to for metrics, audit and persistence.
 * One emitter per engine instance: nothing is shared between two apps.
 */
export class EngineEvents extends EventEmitter<EngineEventMap> {}
