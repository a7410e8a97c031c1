export {
  EMA_NEW_WEIGHT,
  ERROR_PENALTY_PER_FAILURE,
  BACKLOG_STRETCH_PER_UNIT,
  clampMs,
  stalenessTargetMs,
  applyErrorPenaltyMs,
  applyBacklogStretchMs,
  smoothMs,
  applyJitterMs,
} from './interval-terms';
export * from './pulse';
export * from './fixed';
export * from './change-aware';
export * from './registry';
