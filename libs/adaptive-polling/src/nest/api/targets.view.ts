import { targetKey, type TargetDefinition } from '../../core/target';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { summarizeTargetState } from '../audit/target-state-summary';
import { safeConnectionSummary } from './safe-connection';
import type { TargetDetailView, TargetView } from './targets.types';

/** A definition as the routes show it: connection and metadata through the health output's redaction. */
export function targetView(def: TargetDefinition): TargetView {
  return {
    instance: targetKey(def),
    name: def.name,
    type: def.type,
    displayName: def.displayName,
    connection: safeConnectionSummary(def.connection),
    metadata: safeConnectionSummary(def.metadata),
    fixedIntervalMs: def.fixedIntervalMs,
    paused: def.paused,
  };
}

export function targetDetailView(snap: TargetSnapshot): TargetDetailView {
  const { definition, state } = snap;
  return {
    ...targetView(definition),
    scheduled: snap.scheduled,
    running: snap.running,
    intervalMs: state?.intervalMs ?? null,
    state: state && summarizeTargetState(state, definition.paused),
  };
}
