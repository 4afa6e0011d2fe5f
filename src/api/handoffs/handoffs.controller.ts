import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HandoffCloseDto, HandoffDecisionDto, HandoffListQueryDto, HandoffParamDto, HandoffReplyDto } from './handoffs.dto';
import { HandoffsService } from './handoffs.service';
import { Roles } from '../auth/roles.decorator';

@ApiTags('handoffs')
@Roles('operator')
@Controller('api/handoffs')
export class HandoffsController {
  constructor(private readonly handoffs: HandoffsService) {}

  /** Conversations waiting for a person (or, with `status`, answered or timed out ones). */
  @Get()
  @ApiOkResponse({ description: "handoffs, oldest first, each with the customer's messages since it opened (oldest first, at most 20)" })
  async list(@Query() query: HandoffListQueryDto) {
    return { handoffs: await this.handoffs.list(query.status, query.limit) };
  }

  /** A person's answer: sent to the customer on the conversation's channel and recorded. */
  @Post(':workflowId/reply')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the reply as sent' })
  @ApiConflictResponse({ description: 'the conversation is not waiting for a person' })
  @ApiNotFoundResponse({ description: 'no such conversation' })
  reply(@Param() params: HandoffParamDto, @Body() body: HandoffReplyDto) {
    return this.handoffs.reply(params.workflowId, body.text, body.operator);
  }

  /**
   * A person approves or refuses the tool call an agent paused on (the handoff's reason is
   * `approval`; its id ends in `:approval:<call id>`); the agent goes on with the decision.
   */
  @Post(':workflowId/decision')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the approval as the conversation recorded it (granted or refused)' })
  @ApiBadRequestResponse({ description: 'approve is missing or not a boolean, the body has an unknown field, or the id is not an approval' })
  @ApiConflictResponse({ description: 'the call is not waiting for a decision (decided already, timed out, or finished)' })
  @ApiNotFoundResponse({ description: 'no such conversation' })
  decide(@Param() params: HandoffParamDto, @Body() body: HandoffDecisionDto) {
    return this.handoffs.decide(params.workflowId, body);
  }

  /** A person hands the chat back to the agents: the next customer message is theirs again. */
  @Post(':workflowId/close')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the handoff as the conversation left it (status closed)' })
  @ApiBadRequestResponse({ description: 'the body has an unknown field, or operator is longer than 128 characters' })
  @ApiConflictResponse({ description: 'nothing to close, the conversation has finished, or it does not accept close requests' })
  @ApiNotFoundResponse({ description: 'no such conversation' })
  close(@Param() params: HandoffParamDto, @Body() body: HandoffCloseDto) {
    return this.handoffs.close(params.workflowId, body.operator);
  }
}
