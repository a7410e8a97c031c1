import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserOptions {
  httpCredentials?: { username: string; password: string };
  viewport?: { width: number; height: number };
}

/** Browser contexts, each on a fresh profile; `closeAll()` closes them and removes the profiles. */
export class BrowserProfiles {
  private readonly profiles: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  async open(options: BrowserOptions = {}): Promise<BrowserContext> {
    const profile = mkdtempSync(join(tmpdir(), 'ap-chromium-'));
    this.profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      ...options,
    });
    this.contexts.push(context);
    return context;
  }

  async closeAll(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
    for (const profile of this.profiles.splice(0)) rmSync(profile, { recursive: true, force: true });
  }
}
