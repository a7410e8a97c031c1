import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdaptivePollingModule, Poller, type PollContext } from 'nestjs-adaptive-polling';

/**
 * A host app as a user writes it, compiled with `strict` against the packed
 * package. With WITH_INTEGRATIONS=1 it also imports persistence (SQLite) and
 * Prometheus through their subpaths; the file that does is only compiled in
 * that variant (see integrations.ts).
 */
@Injectable()
class WidgetPollers {
  private calls = 0;

  @Poller({ type: 'widget' })
  poll({ target }: PollContext): { calls: number } {
    this.calls += 1;
    process.stdout.write(`POLLED ${target.key} ${this.calls}\n`);
    return { calls: this.calls };
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function integrations(): DynamicModule[] {
  if (process.env.WITH_INTEGRATIONS !== '1') return [];
  // A variable keeps tsc from resolving the file in the required-peers-only variant;
  // require (not import()) because the app is CommonJS, as most Nest apps are.
  const file = './integrations';
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the optional file is loaded only in this variant
  const loaded = require(file) as { integrationModules(): DynamicModule[] };
  return loaded.integrationModules();
}

async function main(): Promise<void> {
  @Module({
    imports: [
      AdaptivePollingModule.forRoot({
        redis: required('REDIS_URL'),
        api: { token: required('API_TOKEN') },
        polling: { policy: 'fixed', minInterval: '100ms', baseInterval: '200ms', maxInterval: '20s' },
        targets: [{ name: 'w1', type: 'widget' }],
      }),
      ...integrations(),
    ],
    providers: [WidgetPollers],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
