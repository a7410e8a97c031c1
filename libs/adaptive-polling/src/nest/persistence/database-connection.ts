import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ADAPTIVE_POLLING_DATA_SOURCE, ADAPTIVE_POLLING_PERSISTENCE_OPTIONS } from './persistence.constants';
import { DatabaseSecrets, describeDatabase } from './database-secrets';
import type { ResolvedPersistenceOptions } from './persistence-options';
import { persistenceMessages } from './persistence-messages';

/**
 * Opens the library's connection (running its migrations) at start-up,
 * waiting at most `connectTimeoutMs`: polling needs Redis only, so a
 * database that is down does not keep the app from starting. Until it
 * answers, the connection is retried in the background with backoff.
 */
@Injectable()
export class DatabaseConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingPersistence');
  readonly secrets: DatabaseSecrets;
  readonly description: string;
  private lastErrorText: string | null = null;
  private lastErrorAt: number | null = null;
  private connecting: Promise<boolean> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs: number;
  private closed = false;

  constructor(
    @InjectDataSource(ADAPTIVE_POLLING_DATA_SOURCE) readonly dataSource: DataSource,
    @Inject(ADAPTIVE_POLLING_PERSISTENCE_OPTIONS) private readonly options: ResolvedPersistenceOptions,
  ) {
    this.secrets = new DatabaseSecrets(options.url);
    this.description = describeDatabase(options.url, options.sqlitePath);
    this.retryDelayMs = options.retryInitialDelayMs;
  }

  /** True while the connection is open (it may still fail a query). */
  get ready(): boolean {
    return this.dataSource.isInitialized;
  }

  get lastError(): string | null {
    return this.lastErrorText;
  }

  get lastErrorAtMs(): number | null {
    return this.lastErrorAt;
  }

  async onModuleInit(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    for (;;) {
      if (await this.connect()) return;
      const wait = Math.min(this.retryDelayMs, deadline - Date.now());
      if (wait <= 0 || this.closed) break;
      await new Promise((r) => setTimeout(r, wait));
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.retryMaxDelayMs);
    }
    this.logger.warn(persistenceMessages.unreachableAtStart(this.description, this.lastErrorText ?? 'unknown error'));
    this.scheduleRetry();
  }

  /** Opens the connection if it is closed; true when open. Concurrent calls share one attempt. */
  ensureOpen(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** Remembers a failure (secret-free) and returns its text. */
  recordError(error: unknown): string {
    this.lastErrorText = this.secrets.describeError(error);
    this.lastErrorAt = Date.now();
    return this.lastErrorText;
  }

  onApplicationShutdown(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // The data source itself is closed by TypeOrmModule after this module.
  }

  private async connect(): Promise<boolean> {
    try {
      if (!this.options.url) mkdirSync(dirname(resolve(this.options.sqlitePath)), { recursive: true });
      await this.dataSource.initialize();
      this.retryDelayMs = this.options.retryInitialDelayMs;
      this.logger.log(persistenceMessages.connected(this.description));
      return true;
    } catch (error) {
      this.recordError(error);
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.ready) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureOpen().then((open) => {
        if (open) return;
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.retryMaxDelayMs);
        this.scheduleRetry();
      });
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }
}
