import 'reflect-metadata';
import { demoApiToken } from './demo-api-token';
import { readDemoSettings } from './demo-settings';

async function bootstrap(): Promise<void> {
  const apiToken = demoApiToken(process.env);
  // Every setting is checked before anything is started or connected, and
  // before the app's other modules load, so a bad one exits at once.
  const settings = readDemoSettings(process.env, apiToken);
  const { startDemoApp } = await import('./demo-app.js');
  await startDemoApp(settings, apiToken);
}

// A configuration error is its message alone: no stack trace, no object dump.
bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
