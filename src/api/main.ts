import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { createApp } from './app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'switchboard-api');
  if (config.apiKeys.length === 0) {
    logger.warn(
      'API_KEYS is not set: the API is OPEN to anyone who can reach it. Fine on a laptop; set API_KEYS (role:key,…) before exposing it. NODE_ENV=production refuses to start this way.',
    );
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  logger.info(
    { url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` },
    'API listening',
  );
}

bootstrap().catch((err: unknown) => {
  createLogger('error', 'switchboard-api').fatal({ err }, 'API failed to start');
  process.exit(1);
});
