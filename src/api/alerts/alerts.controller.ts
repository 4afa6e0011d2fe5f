import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AlertListQueryDto } from './alerts.dto';
import { AlertsService } from './alerts.service';

@ApiTags('alerts')
@Roles('operator')
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Alerts raised by the monitoring rules: open ones first, newest first. */
  @Get()
  @ApiOkResponse({ description: '{ alerts: [{ id, rule, subject, level, title, detail, value, threshold, status, openedAt, lastSeenAt, resolvedAt }] }' })
  @ApiBadRequestResponse({ description: 'status, level or limit is not one of the accepted values, or an unknown parameter was given' })
  list(@Query() query: AlertListQueryDto) {
    return this.alerts.list(query);
  }

  /** Evaluates the rules now (triggers the alerts schedule), e.g. after fixing something. */
  @Post('evaluate')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{ scheduleId, triggered: true }: the evaluation runs in moments; read GET /api/alerts' })
  evaluate() {
    return this.alerts.evaluateNow();
  }
}
