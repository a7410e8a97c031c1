import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { PbsServerPoller, PmgGatewayPoller, PROXMOX_POLLER_OPTIONS, PveClusterPoller, type ProxmoxPollerOptions } from './pollers';

export interface AdaptivePollingProxmoxOptions extends ProxmoxPollerOptions {
  /** Which products to poll with the ready-made pollers (default all three); leave one out to write your own. */
  products?: ReadonlyArray<'pve' | 'pbs' | 'pmg'>;
}

export interface AdaptivePollingProxmoxAsyncOptions {
  products?: ReadonlyArray<'pve' | 'pbs' | 'pmg'>;
  imports?: DynamicModule['imports'];
  inject?: Array<string | symbol | Type>;
  useFactory: (...args: never[]) => ProxmoxPollerOptions | Promise<ProxmoxPollerOptions>;
}

const POLLERS = { pve: PveClusterPoller, pbs: PbsServerPoller, pmg: PmgGatewayPoller } as const;

function pollerProviders(products: ReadonlyArray<'pve' | 'pbs' | 'pmg'> | undefined): Provider[] {
  return [...new Set(products ?? (['pve', 'pbs', 'pmg'] as const))].map((product) => POLLERS[product]);
}

/**
 * The ready-made Proxmox pollers as a Nest module. Import it next to
 * `AdaptivePollingModule.forRoot(...)`; the module's explorer finds the pollers.
 */
@Module({})
export class AdaptivePollingProxmoxModule {
  static forRoot(options: AdaptivePollingProxmoxOptions = {}): DynamicModule {
    const { products, ...pollerOptions } = options;
    return {
      module: AdaptivePollingProxmoxModule,
      providers: [{ provide: PROXMOX_POLLER_OPTIONS, useValue: pollerOptions }, ...pollerProviders(products)],
    };
  }

  static forRootAsync(options: AdaptivePollingProxmoxAsyncOptions): DynamicModule {
    return {
      module: AdaptivePollingProxmoxModule,
      imports: options.imports ?? [],
      providers: [
        { provide: PROXMOX_POLLER_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...pollerProviders(options.products),
      ],
    };
  }
}
