import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiUnauthorizedResponse, ApiForbiddenResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AppConfig } from '../../config';
import { findApiKey } from '../../config/api-keys';
import { presentedKey } from '../auth/api-key.guard';
import { Roles } from '../auth/roles.decorator';
import { APP_CONFIG } from '../common/tokens';

export interface ConsoleSession {
  role: 'admin' | 'operator';
  temporalUi: { url: string; namespace: string };
}

@ApiTags('console')
@Roles('operator')
@Controller('api/console')
export class ConsoleController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * What the console needs at sign-in: the key's role (the guard has already refused a
   * wrong key with 401 and an ingest key with 403) and where the Temporal Web UI is, for
   * its workflow links (`<url>/namespaces/<namespace>/workflows/<workflow id>`).
   */
  @Get('session')
  @ApiOkResponse({ description: '{ role: "admin" | "operator", temporalUi: { url, namespace } }' })
  @ApiUnauthorizedResponse({ description: 'no key, or not a valid one' })
  @ApiForbiddenResponse({ description: 'an ingest key' })
  session(@Req() req: Request): ConsoleSession {
    // With API_KEYS unset the API is open (development): everyone is admin.
    const presented = presentedKey(req);
    const key = this.config.apiKeys.length > 0 && presented ? findApiKey(this.config.apiKeys, presented) : undefined;
    return {
      role: key?.role === 'operator' ? 'operator' : 'admin',
      temporalUi: { url: this.config.console.temporalUiUrl, namespace: this.config.temporal.namespace },
    };
  }
}
