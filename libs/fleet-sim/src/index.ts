/**
 * @app/fleet-sim: simulated Proxmox-like fleets for the adaptive polling
 * library: the fleet file format, the shared target behaviour model, the
 * virtual-time simulator (policy comparison) and the HTTP fleet simulator
 * (demo app and end-to-end tests).
 */
export {
  expandFleet,
  FleetFileError,
  loadFleetFile,
  parseFleetFile,
  validateFleet,
  type DownWindow,
  type FleetEntry,
  type FleetFile,
  type FleetProblem,
  type FleetTarget,
} from './fleet-file';
export { behavioursFor, TargetBehaviour, type BehaviourAnswer, type TargetData } from './behaviour';
export { deriveSeed, derivedStream, hashString32, mulberry32, uniformAt, type Random } from './rng';
export {
  startFleetServer,
  type FleetServerOptions,
  type FleetServerStats,
  type RunningFleetServer,
  type TargetRequestStats,
} from './http/fleet-server';
export {
  DEFAULT_COMPARED_POLICIES,
  percentile,
  runLabel,
  SIMULATION_EPOCH_MS,
  simulateFleet,
  toJsonReport,
  type EntryReport,
  type PolicyRun,
  type SimulationOptions,
  type SimulationReport,
  type TargetRun,
} from './virtual/simulate';
export { BODY_MODES, type BodyMode } from './virtual/result-hash';
export { formatReport } from './virtual/report';
export { acceptanceFigures, classifyTarget, formatAcceptance, type AcceptanceFigures, type TargetClass } from './virtual/acceptance';
export { parseArguments, runCli, UsageError, USAGE } from './virtual/cli';
