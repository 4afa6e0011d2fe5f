import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AgentStatsQueryDto, StatsHoursQueryDto } from './stats.dto';
import { StatsService } from './stats.service';

/** Numbers for the console's charts, from the API's own data (docs/stats.md). */
@ApiTags('stats')
@Roles('operator')
@Controller('api/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('messages')
  @ApiOkResponse({ description: 'customer messages per hour (UTC) by intent and channel: `{from, to, hours, series: [{intent, channel, counts}], total}`' })
  @ApiBadRequestResponse({ description: '`hours` is not an integer from 1 to 720' })
  messages(@Query() q: StatsHoursQueryDto) {
    return this.stats.messages(q.hours);
  }

  @Get('handoffs')
  @ApiOkResponse({ description: 'handoff waiting times: open now, answered (average, p50, p90, max), timed out, and a histogram' })
  @ApiBadRequestResponse({ description: '`hours` is not an integer from 1 to 720' })
  handoffs(@Query() q: StatsHoursQueryDto) {
    return this.stats.handoffs(q.hours);
  }

  @Get('replies')
  @ApiOkResponse({ description: 'messages sent to customers by channel: sent, delivered, read, failed, pending' })
  @ApiBadRequestResponse({ description: '`hours` is not an integer from 1 to 720' })
  replies(@Query() q: StatsHoursQueryDto) {
    return this.stats.replies(q.hours);
  }
}

/** Seed 000's agent performance, beside `GET /api/agents` and `GET /api/agents/logs`. */
@ApiTags('agents')
@Roles('operator')
@Controller('api/agents/stats')
export class AgentStatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ description: 'per agent, most active first: tasks handled, completed, failed, failure rate, average processing time' })
  @ApiBadRequestResponse({ description: '`hours` is not an integer from 1 to 720' })
  agents(@Query() q: AgentStatsQueryDto) {
    return this.stats.agents(q.hours);
  }
}
