import { Module, type DynamicModule } from '@nestjs/common';
import { resolveConsoleOptions, type AdaptivePollingConsoleOptions } from './console-options';
import { CONSOLE_OPTIONS, PollingConsoleService } from './polling-console.service';

/**
 * Opt-in operator's console: a live fleet page, a page per target with its
 * interval history and actions, behind the API token (sign-in form or HTTP
 * Basic). Import it next to AdaptivePollingModule:
 *
 * ```ts
 * imports: [AdaptivePollingModule.forRoot({...}), AdaptivePollingConsoleModule.forRoot({ path: '/admin/polling' })]
 * ```
 */
@Module({})
export class AdaptivePollingConsoleModule {
  static forRoot(options: AdaptivePollingConsoleOptions = {}): DynamicModule {
    return {
      module: AdaptivePollingConsoleModule,
      providers: [{ provide: CONSOLE_OPTIONS, useValue: resolveConsoleOptions(options) }, PollingConsoleService],
    };
  }
}
