/**
 * `nestjs-adaptive-polling/swagger`: the OpenAPI documentation of the health
 * and management routes, applied through @nestjs/swagger. Call
 * `documentAdaptivePollingApi()` before `SwaggerModule.createDocument()`.
 */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/swagger', ['@nestjs/swagger']);

export { documentAdaptivePollingApi } from './nest/api/document-api';
export { ADAPTIVE_POLLING_API_TAG, ADAPTIVE_POLLING_BEARER_AUTH } from './nest/api/api-docs.decorators';
