import { SetMetadata } from '@nestjs/common';
import type { ChangeSignalFn } from '../core/change-signal';

export const POLLER_METADATA = 'adaptive-polling:poller';

export interface PollerOptions {
  /** The target type this method polls (any string: `pve`, `pbs`, `pmg`, `my-api`, ...). */
  type: string;
  /**
   * What of the result counts as a change (SPEC 2). Only its value is hashed; a string
   * or Buffer is hashed as bytes. Absent: the whole result is hashed. A result returned
   * as `withChangeSignal(result, signal)` carries its own signal, which wins.
   */
  changeSignal?: ChangeSignalFn;
}

/** Options of the `@PvePoller()` style shorthands: everything but the type. */
export type TypedPollerOptions = Omit<PollerOptions, 'type'>;

/** Marks a provider method as the poller for one target type. */
export const Poller = (options: PollerOptions): MethodDecorator => SetMetadata(POLLER_METADATA, options);

/** Poller for Proxmox VE targets (type `pve`). */
export const PvePoller = (options: TypedPollerOptions = {}): MethodDecorator => Poller({ ...options, type: 'pve' });
/** Poller for Proxmox Backup Server targets (type `pbs`). */
export const PbsPoller = (options: TypedPollerOptions = {}): MethodDecorator => Poller({ ...options, type: 'pbs' });
/** Poller for Proxmox Mail Gateway targets (type `pmg`). */
export const PmgPoller = (options: TypedPollerOptions = {}): MethodDecorator => Poller({ ...options, type: 'pmg' });
