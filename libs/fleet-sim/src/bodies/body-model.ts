import type { FleetTarget } from '../fleet-file';
import { DEFAULT_PBS_DATASTORES, PbsBodyModel } from './pbs-body';
import { DEFAULT_PMG_NODES, PmgBodyModel } from './pmg-body';
import { DEFAULT_PVE_GUESTS, PveBodyModel } from './pve-body';
import type { PveSnapshot } from '../../../adaptive-polling/src/proxmox/pve';
import type { PbsSnapshot } from '../../../adaptive-polling/src/proxmox/pbs';
import type { PmgSnapshot } from '../../../adaptive-polling/src/proxmox/pmg';

/** The Proxmox products the simulators answer in the API's shape. */
export const PROXMOX_TYPES = ['pve', 'pbs', 'pmg'] as const;
export type ProxmoxType = (typeof PROXMOX_TYPES)[number];

export type ProxmoxSnapshot =
  { type: 'pve'; snapshot: PveSnapshot } | { type: 'pbs'; snapshot: PbsSnapshot } | { type: 'pmg'; snapshot: PmgSnapshot };

export function isProxmoxType(type: string): type is ProxmoxType {
  return (PROXMOX_TYPES as readonly string[]).includes(type);
}

/** `guests` when the fleet file leaves it out: guests (PVE), datastores (PBS), cluster nodes (PMG). */
export function defaultGuests(type: ProxmoxType): number {
  return type === 'pve' ? DEFAULT_PVE_GUESTS : type === 'pbs' ? DEFAULT_PBS_DATASTORES : DEFAULT_PMG_NODES;
}

/**
 * The realistic answers of one pve/pbs/pmg target: the data version (from the behaviour
 * model's change times) drives what an operator acts on; the answer time drives every
 * counter and gauge.
 */
export class ProxmoxBodyModel {
  private readonly model: PveBodyModel | PbsBodyModel | PmgBodyModel;

  constructor(
    readonly target: FleetTarget,
    seed: number,
  ) {
    if (!isProxmoxType(target.type)) throw new TypeError(`no Proxmox body model for type "${target.type}"`);
    const guests = target.guests ?? defaultGuests(target.type);
    this.model =
      target.type === 'pve'
        ? new PveBodyModel(seed, target.name, guests)
        : target.type === 'pbs'
          ? new PbsBodyModel(seed, target.name, guests)
          : new PmgBodyModel(seed, target.name, guests);
  }

  snapshotAt(version: number, atMs: number): ProxmoxSnapshot {
    const snapshot = this.model.snapshotAt(version, atMs);
    return { type: this.target.type, snapshot } as ProxmoxSnapshot;
  }
}
