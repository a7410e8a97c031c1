import { applyChangeSignal, changeHashOf, stableHash, type ChangeSignalFn } from '../../../adaptive-polling/src/core';
import { pbsChangeSignal, type PbsSnapshot } from '../../../adaptive-polling/src/proxmox/pbs';
import { pmgChangeSignal, type PmgSnapshot } from '../../../adaptive-polling/src/proxmox/pmg';
import { pveChangeSignal, type PveSnapshot } from '../../../adaptive-polling/src/proxmox/pve';
import type { TargetBehaviour } from '../behaviour';
import { isProxmoxType, ProxmoxBodyModel, type ProxmoxType } from '../bodies/body-model';

/**
 * What a successful poll of the virtual simulator hashes, i.e. what the core's
 * "changed" is computed from:
 * - `signal`: pve/pbs/pmg targets answer realistic bodies (`ProxmoxBodyModel`: gauges and
 *   counters move on every answer) and the hash is the engine's, of the ready-made
 *   poller's change signal;
 * - `whole-body`: the same realistic bodies hashed whole, as for a poller without a
 *   change signal: every answer differs, so every poll counts as a change;
 * - `idealised`: the behaviour model's data (it moves only at change times).
 * Targets of other types always answer the behaviour model's data.
 */
export const BODY_MODES = ['signal', 'whole-body', 'idealised'] as const;
export type BodyMode = (typeof BODY_MODES)[number];

/** The functions the ready-made pollers (`proxmox/pollers.ts`) pass as `changeSignal`. */
const READY_MADE_SIGNALS: Record<ProxmoxType, ChangeSignalFn> = {
  pve: (result) => pveChangeSignal(result as PveSnapshot),
  pbs: (result) => pbsChangeSignal(result as PbsSnapshot),
  pmg: (result) => pmgChangeSignal(result as PmgSnapshot),
};

/** The hash of a successful poll answered at `atMs` with data `version`. */
export type ResultHasher = (version: number, atMs: number) => string;

export function resultHasher(behaviour: TargetBehaviour, mode: BodyMode): ResultHasher {
  const { target, seed } = behaviour;
  if (mode === 'idealised' || !isProxmoxType(target.type)) {
    // The data is a function of the version: hash each version once.
    let hashedVersion = -1;
    let hash = '';
    return (version, atMs) => {
      if (version !== hashedVersion) {
        hashedVersion = version;
        hash = stableHash(behaviour.dataAt(atMs));
      }
      return hash;
    };
  }
  const bodies = new ProxmoxBodyModel(target, seed);
  const signal = mode === 'signal' ? READY_MADE_SIGNALS[target.type] : undefined;
  // As the engine: the poller's result, its change signal applied, then the hash of the signal.
  return (version, atMs) => changeHashOf(applyChangeSignal(bodies.snapshotAt(version, atMs).snapshot, signal));
}
