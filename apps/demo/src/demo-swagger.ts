import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADAPTIVE_POLLING_BEARER_AUTH, documentAdaptivePollingApi } from 'nestjs-adaptive-polling/swagger';

export const DOCS_PATH = 'api/docs';

/** Swagger UI at /api/docs (JSON at /api/docs-json), with the bearer token scheme the API routes declare. */
export function setupSwagger(app: INestApplication): void {
  documentAdaptivePollingApi();
  const config = new DocumentBuilder()
    .setTitle('Adaptive polling demo')
    .setDescription(
      'Scheduler health and management API of the adaptive polling module. ' +
        'Authorize with the API token (ADAPTIVE_POLLING_API_TOKEN, or the one the demo printed at start).',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'opaque token', description: 'The adaptive polling API token' },
      ADAPTIVE_POLLING_BEARER_AUTH,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, { swaggerOptions: { persistAuthorization: false } });
}
