import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';

/** Headers the Web UI sends to a codec server: its access token, JSON, and the namespace. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace, X-API-Key';

/**
 * CORS for `/codec`, for the configured Web UI origins only (`CODEC_CORS_ORIGINS`). A
 * preflight is answered here, before the key check: browsers never send credentials on it.
 */
@Injectable()
export class CodecCorsMiddleware implements NestMiddleware {
  private readonly origins: Set<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.origins = new Set(config.codecCorsOrigins.map((o) => o.replace(/\/+$/, '')));
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && this.origins.has(origin);
    res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    if (origin !== undefined && !allowed) {
      res.status(403).json({
        statusCode: 403,
        error: 'Forbidden',
        message: `origin ${origin} may not call /codec; add it to CODEC_CORS_ORIGINS`,
      });
      return;
    }
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  }
}
