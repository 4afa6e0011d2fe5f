import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CampaignControlDto, CampaignRescheduleDto, ChatIdParamDto } from './follow-ups.dto';
import { FollowUpsService, type CampaignAction } from './follow-ups.service';
import { Roles } from '../auth/roles.decorator';

@ApiTags('follow-ups')
@Roles('operator')
@Controller('api/follow-ups')
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

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
