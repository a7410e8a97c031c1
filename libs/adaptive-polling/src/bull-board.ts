/** `nestjs-adaptive-polling/bull-board`: Bull Board (Express) showing the polling queue, behind the API token. */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/bull-board', ['@bull-board/api', '@bull-board/express', '@bull-board/nestjs']);

export { AdaptivePollingBullBoardModule } from './nest/bull-board/adaptive-polling-bull-board.module';
export { DEFAULT_BULL_BOARD_ROUTE, type AdaptivePollingBullBoardOptions } from './nest/bull-board/bull-board-options';
export { BullBoardConfigError } from './nest/bull-board/polling-queue-board';
