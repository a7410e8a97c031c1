import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdaptivePollingModule,
  Poller,
  PollingOptionsError,
  PollingSchedulerService,
  TargetRegistryService,
  type AdaptivePollingModuleOptions,
  type PollContext,
} from 'nestjs-adaptive-polling';
import { AdaptivePollingPersistenceModule, PersistenceQueryService } from 'nestjs-adaptive-polling/persistence';
import { DatabaseConnection } from '../../libs/adaptive-polling/src/nest/persistence';
import { eventually } from '../support/events';
import { listenForTests, type HttpClient } from '../support/http-client';
import { usePrivateRedis } from '../support/redis-fixture';

/**
 * How a host app configures the module: forRootAsync with @nestjs/config for
 * the module and for persistence, useClass and useExisting, and where the
 * routes are served (global prefix, custom base path, none).
 */
const redis = usePrivateRedis();
const TOKEN = 'module-configuration-test-token';
let queueSeq = 0;
const running: INestApplication[] = [];
let dataDir = '';

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ap-module-config-'));
});
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

@Injectable()
class CountingPollers {
  readonly polls = new Map<string, number>();

  @Poller({ type: 'widget' })
  poll({ target }: PollContext) {
    this.polls.set(target.key, (this.polls.get(target.key) ?? 0) + 1);
    return { ok: true };
  }
}

function baseOptions(): AdaptivePollingModuleOptions {
  return {
    redis: redis.url,
    queueName: `module-config-${++queueSeq}`,
    env: false,
    api: { token: TOKEN },
    polling: { policy: 'fixed', minInterval: '50ms', baseInterval: '100ms', maxInterval: '20s' },
    targets: [{ name: 'w1', type: 'widget' }],
  };
}

async function boot(
  imports: Array<DynamicModule | typeof ConfigModule>,
  prefix?: string,
): Promise<{ app: INestApplication; http: HttpClient }> {
  @Module({ imports, providers: [CountingPollers] })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  if (prefix) app.setGlobalPrefix(prefix);
  running.push(app);
  const http = await listenForTests(app);
  return { app, http };
}

async function polledTwice(app: INestApplication): Promise<void> {
  const pollers = app.get(CountingPollers);
  await eventually(() => Promise.resolve((pollers.polls.get('widget::w1') ?? 0) >= 2), 'widget::w1 was polled twice');
}

function configModule(values: Record<string, string>) {
  return ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => values] });
}

describe('module configuration', () => {
  it('forRootAsync takes Redis and the API token from ConfigService', async () => {
    const options = baseOptions();
    const { app, http } = await boot([
      AdaptivePollingModule.forRootAsync({
        imports: [configModule({ REDIS_URL: redis.url, API_TOKEN: TOKEN })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          ...options,
          redis: config.getOrThrow<string>('REDIS_URL'),
          api: { token: config.getOrThrow<string>('API_TOKEN') },
        }),
      }),
    ]);
    await polledTwice(app);
    expect((await http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(200);
    expect((await http.request('GET', '/api/monitoring/scheduler/health')).status).toBe(401);
  });

  it('persistence forRootAsync takes its SQLite file from ConfigService and stores run-time targets there', async () => {
    const sqlitePath = join(dataDir, 'from-config.sqlite');
    const { app } = await boot([
      AdaptivePollingModule.forRoot(baseOptions()),
      AdaptivePollingPersistenceModule.forRootAsync({
        imports: [configModule({ SQLITE_PATH: sqlitePath })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({ sqlitePath: config.getOrThrow<string>('SQLITE_PATH'), flushIntervalMs: 50 }),
      }),
    ]);
    const connection = app.get(DatabaseConnection);
    expect(connection.ready).toBe(true);
    expect(connection.description).toContain(sqlitePath);
    await app.get(TargetRegistryService).add({ name: 'w2', type: 'widget' });
    const query = app.get(PersistenceQueryService);
    await eventually(async () => (await query.runtimeTargets()).some((t) => t.name === 'w2'), 'w2 is stored in SQLite');
  });

  it('forRootAsync with useClass builds the options in the given class', async () => {
    const options = baseOptions();
    @Injectable()
    class PollingConfig {
      create(): AdaptivePollingModuleOptions {
        return options;
      }
    }
    const { app } = await boot([AdaptivePollingModule.forRootAsync({ useClass: PollingConfig })]);
    await polledTwice(app);
  });

  it('forRootAsync with useExisting reuses a provider of an imported module', async () => {
    const options = baseOptions();
    @Injectable()
    class SharedPollingConfig {
      create(): AdaptivePollingModuleOptions {
        return options;
      }
    }
    @Module({ providers: [SharedPollingConfig], exports: [SharedPollingConfig] })
    class SharedConfigModule {}
    const { app } = await boot([AdaptivePollingModule.forRootAsync({ imports: [SharedConfigModule], useExisting: SharedPollingConfig })]);
    await polledTwice(app);
  });

  it('serves the routes under the app global prefix', async () => {
    const { http } = await boot([AdaptivePollingModule.forRoot(baseOptions())], 'v1');
    expect((await http.request('GET', '/v1/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(200);
    expect((await http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(404);
  });

  it('mounts the routes under a custom base path, also below a global prefix (no /api/api)', async () => {
    const { http } = await boot(
      [AdaptivePollingModule.forRoot({ ...baseOptions(), api: { token: TOKEN, basePath: '/monitoring/' } })],
      'api',
    );
    expect((await http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(200);
    expect((await http.request('POST', '/api/monitoring/instances/widget%3A%3Aw1/pause', { token: TOKEN })).status).toBeLessThan(300);
    expect((await http.request('GET', '/api/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(404);
  });

  it('forRootAsync fixes the base path next to useFactory', async () => {
    const options = baseOptions();
    const { http } = await boot([AdaptivePollingModule.forRootAsync({ api: { basePath: 'ops/polling' }, useFactory: () => options })]);
    expect((await http.request('GET', '/ops/polling/scheduler/health', { token: TOKEN })).status).toBe(200);
    expect((await http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(404);
  });

  it('api: false serves no route, and the replica still polls', async () => {
    const { app, http } = await boot([AdaptivePollingModule.forRoot({ ...baseOptions(), api: false })]);
    await polledTwice(app);
    for (const path of ['/api/monitoring/scheduler/health', '/api/monitoring/dlq/retry']) {
      expect((await http.request('GET', path)).status).toBe(404);
      expect((await http.request('POST', path)).status).toBe(404);
    }
    expect(app.get(PollingSchedulerService).settings().policy).toBe('fixed');
  });

  it('refuses api: false from an async factory, naming where it belongs, instead of serving the routes anyway', async () => {
    const options = baseOptions();
    const failed = boot([AdaptivePollingModule.forRootAsync({ useFactory: () => ({ ...options, api: false as const }) })]);
    await expect(failed).rejects.toThrow(PollingOptionsError);
    await expect(failed).rejects.toThrow(/api: is false in the options factory: in forRootAsync, pass `api: false` next to useFactory/);
  });

  it('refuses a malformed base path, naming the field', () => {
    expect(() => AdaptivePollingModule.forRoot({ ...baseOptions(), api: { token: TOKEN, basePath: 'a b' } })).toThrow(
      /api\.basePath: must be a URL path/,
    );
  });
});
