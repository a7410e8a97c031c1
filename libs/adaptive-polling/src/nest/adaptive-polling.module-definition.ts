import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AdaptivePollingModuleOptions } from './adaptive-polling.options';

/** Read when the module is defined, not from the (possibly async) options. */
export interface AdaptivePollingModuleExtras {
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: AdaptivePollingConfigurableModule,
  MODULE_OPTIONS_TOKEN: ADAPTIVE_POLLING_MODULE_OPTIONS,
  OPTIONS_TYPE: ADAPTIVE_POLLING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADAPTIVE_POLLING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdaptivePollingModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AdaptivePollingModuleExtras>({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
