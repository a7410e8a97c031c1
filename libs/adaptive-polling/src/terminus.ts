/** `nestjs-adaptive-polling/terminus`: a @nestjs/terminus health indicator for the polling engine. */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/terminus', ['@nestjs/terminus']);

export { AdaptivePollingHealthIndicator, type AdaptivePollingHealthDetails } from './nest/health/adaptive-polling.health-indicator';
