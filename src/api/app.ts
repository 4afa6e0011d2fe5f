import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { cleanupOpenApiDoc, ZodValidationPipe } from 'nestjs-zod';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { findApiKey, type AppConfig } from '../config';
import { presentedKey } from './auth/api-key.guard';
import { AppModule } from './app.module';
import { CONSOLE_PATH, consoleMiddleware, locateConsoleDist } from './console/console-static';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { jsonBody } from './common/json-body';

/** Largest JSON body an API route accepts (webhooks: WEBHOOK_BODY_LIMIT); a message is at most 4096 characters, so this is generous. */
export const JSON_BODY_LIMIT = '256kb';

/** Builds the configured Nest application without listening; `main.ts` and the tests share it. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // helmet's defaults suit a JSON API and the Swagger UI alike: the UI loads its scripts
  // from /docs itself (script-src 'self') and only its styles are inline.
  app.use(helmet());
  app.use(...jsonBody(JSON_BODY_LIMIT));
  app.useGlobalPipes(new ZodValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.disable('x-powered-by');
  // Behind a load balancer, the client's own address (for per-address rate limits) is in X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  // The operator console: a static page (public) that calls this API with the person's key.
  app.use(CONSOLE_PATH, consoleMiddleware(config.console.distDir ?? locateConsoleDist()));

  if (config.apiKeys.length > 0) {
    // The API's shape is not secret, but the docs page is no place for anonymous callers either.
    app.use('/docs', (req: Request, res: Response, next: NextFunction) => {
      const key = presentedKey(req);
      if (key && findApiKey(config.apiKeys, key)) return next();
      res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'X-API-Key: missing or not a valid key' });
    });
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchboard')
      .setDescription('Durable multi-agent message orchestration on Temporal')
      .setVersion('0.1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addSecurityRequirements('api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
