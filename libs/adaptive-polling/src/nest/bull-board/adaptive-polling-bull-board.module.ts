import { Module, type DynamicModule } from '@nestjs/common';
import { BullBoardModule } from '@bull-board/nestjs';
import { BoardExpressAdapter } from './board-express-adapter';
import { BullBoardAuthGate } from './bull-board-auth';
import { DEFAULT_BULL_BOARD_ROUTE, DEFAULT_BULL_BOARD_TITLE, type AdaptivePollingBullBoardOptions } from './bull-board-options';
import { BULL_BOARD_GATE, BULL_BOARD_OPTIONS, PollingQueueBoard } from './polling-queue-board';

/**
 * Opt-in Bull Board (Express) showing the polling queue, behind the API
 * token: browsers sign in with HTTP Basic (any user name, the token as the
 * password). Import it next to AdaptivePollingModule:
 *
 * ```ts
 * imports: [AdaptivePollingModule.forRoot({...}), AdaptivePollingBullBoardModule.forRoot()]
 * ```
 */
@Module({})
export class AdaptivePollingBullBoardModule {
  static forRoot(options: AdaptivePollingBullBoardOptions = {}): DynamicModule {
    // One gate per registration: two apps in one process never share it.
    const gate = new BullBoardAuthGate();
    return {
      module: AdaptivePollingBullBoardModule,
      imports: [
        BullBoardModule.forRoot({
          route: options.route ?? DEFAULT_BULL_BOARD_ROUTE,
          adapter: BoardExpressAdapter,
          middleware: gate.middleware,
          boardOptions: { uiConfig: { boardTitle: options.title ?? DEFAULT_BULL_BOARD_TITLE } },
        }),
      ],
      providers: [{ provide: BULL_BOARD_GATE, useValue: gate }, { provide: BULL_BOARD_OPTIONS, useValue: options }, PollingQueueBoard],
      exports: [PollingQueueBoard],
    };
  }
}
