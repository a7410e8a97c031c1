/** `nestjs-adaptive-polling/console`: the operator's console (fleet page, target pages, live updates), served by the module. */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/console', ['@nestjs/platform-express']);

export { AdaptivePollingConsoleModule } from './nest/console/adaptive-polling-console.module';
export { DEFAULT_CONSOLE_PATH, type AdaptivePollingConsoleOptions } from './nest/console/console-options';
export { ConsoleConfigError } from './nest/console/polling-console.service';
