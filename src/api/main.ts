import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { createApp } from './app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  createLogger(config.logLevel, 'switchboard-api').info(
    { url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` },
    'API listening',
  );
}

bootstrap().catch((err: unknown) => {
  createLogger('error', 'switchboard-api').fatal({ err }, 'API failed to start');
  process.exit(1);
});
