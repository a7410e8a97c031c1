import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AdaptivePollingModuleOptions } from './adaptive-polling.options';
import type { AdaptivePollingPersistenceOptions } from './persistence/persistence-options';
import { persistenceParts } from './persistence';

/**
 * Extras are read when the module is defined, not from the (possibly async)
 * options: `isGlobal`, and `persistence`, which adds TypeORM imports.
 */
export interface AdaptivePollingModuleExtras {
  isGlobal?: boolean;
  persistence?: AdaptivePollingPersistenceOptions | false;
}

export const {
  ConfigurableModuleClass: AdaptivePollingConfigurableModule,
  MODULE_OPTIONS_TOKEN: ADAPTIVE_POLLING_MODULE_OPTIONS,
  OPTIONS_TYPE: ADAPTIVE_POLLING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADAPTIVE_POLLING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdaptivePollingModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AdaptivePollingModuleExtras>({ isGlobal: false, persistence: false }, (definition, extras) => {
    const parts = persistenceParts(extras.persistence ?? false);
    return {
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), ...parts.imports],
      providers: [...(definition.providers ?? []), ...parts.providers],
      exports: [...(definition.exports ?? []), ...parts.exports],
    };
  })
  .build();
