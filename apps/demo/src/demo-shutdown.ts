import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DemoEnvironment } from './demo-environment';

export const DEMO_ENVIRONMENT = Symbol('DEMO_ENVIRONMENT');

/** Stops the private Redis and the in-process simulator after the app (and its polls) stopped. */
@Injectable()
export class DemoShutdown implements OnApplicationShutdown {
  constructor(@Inject(DEMO_ENVIRONMENT) private readonly demo: DemoEnvironment) {}

  async onApplicationShutdown(): Promise<void> {
    await this.demo.stop();
  }
}
