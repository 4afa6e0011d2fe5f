import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CampaignControlDto, CampaignRescheduleDto, ChatIdParamDto } from './follow-ups.dto';
import { FollowUpsService, type CampaignAction } from './follow-ups.service';
import { Roles } from '../auth/roles.decorator';
import { CampaignListQueryDto, FollowUpStatsQueryDto } from '../stats/stats.dto';
import { StatsService } from '../stats/stats.service';

@ApiTags('follow-ups')
@Roles('operator')
@Controller('api/follow-ups')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly stats: StatsService,
  ) {}

  /** Running campaigns across chats, soonest step first (registered before `:chatId`). */
  @Get()
  @ApiOkResponse({ description: '`{campaigns: [{chatId, purpose, status, nextFireAt, stepsSent, steps, startedAt, reference, workflowId}], truncated, unavailable}`' })
  @ApiBadRequestResponse({ description: '`status` or `limit` is not valid' })
  running(@Query() q: CampaignListQueryDto) {
    return this.followUps.listAcrossChats(q.status, q.limit);
  }

  /** Follow-up effectiveness (seed 001) per purpose and step (registered before `:chatId`, which would take "stats"). */
  @Get('stats')
  @ApiOkResponse({ description: '`{from, to, purposes: [{purpose, sent, answered, reply_rate, steps: [{step, sent, answered, reply_rate}]}]}`' })
  @ApiBadRequestResponse({ description: '`days` is not an integer from 1 to 90' })
  effectiveness(@Query() q: FollowUpStatsQueryDto) {
    return this.stats.followUps(q.days);
  }

  /** Each campaign's status, next fire time and the steps sent so far. */
  @Get(':chatId')
  @ApiOkResponse({ description: "the chat's campaigns" })
  list(@Param() p: ChatIdParamDto) {
    return this.followUps.list(p.chatId);
  }

  @Post(':chatId/pause')
  @HttpCode(200)
  @ApiNotFoundResponse({ description: 'no running campaign' })
  @ApiConflictResponse({ description: 'the campaign is not active' })
  pause(@Param() p: ChatIdParamDto, @Body() b: CampaignControlDto) {
    return this.act(p.chatId, 'pause', b);
  }

  @Post(':chatId/resume')
  @HttpCode(200)
  @ApiConflictResponse({ description: 'the campaign is not paused' })
  resume(@Param() p: ChatIdParamDto, @Body() b: CampaignControlDto) {
    return this.act(p.chatId, 'resume', b);
  }

  @Post(':chatId/cancel')
  @HttpCode(200)
  cancel(@Param() p: ChatIdParamDto, @Body() b: CampaignControlDto) {
    return this.act(p.chatId, 'cancel', b);
  }

  /** Moves the next step of the named campaign to `at`. */
  @Post(':chatId/reschedule')
  @HttpCode(200)
  @ApiConflictResponse({ description: 'the campaign has ended' })
  reschedule(@Param() p: ChatIdParamDto, @Body() b: CampaignRescheduleDto) {
    return this.followUps.reschedule(p.chatId, b.purpose, b.at, b.by);
  }

  private act(chatId: string, action: CampaignAction, b: CampaignControlDto) {
    return this.followUps.control(chatId, action, b.purpose, b.by);
  }
}
