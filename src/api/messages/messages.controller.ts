import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AcceptedMessageDto, InboundMessageDto, MessageViewDto, WorkflowIdParamDto } from './messages.dto';
import { Roles } from '../auth/roles.decorator';
import { MessagesService, type AcceptedMessage } from './messages.service';

@ApiTags('messages')
@Controller('api/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** Accepts an inbound message: 202 with its workflow, or 200 `{ignored: true}` for our own echo. */
  @Post()
  @Roles('ingest', 'operator')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: AcceptedMessageDto, description: 'the workflow handling the message' })
  @ApiOkResponse({ description: '`fromMe: true`: an echo of our own reply; nothing started' })
  @ApiBadRequestResponse({ description: 'a field is missing or has the wrong type' })
  async accept(
    @Body() message: InboundMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AcceptedMessage | { ignored: true }> {
    if (message.fromMe) {
      res.status(200);
      return { ignored: true };
    }
    return this.messages.accept(message);
  }

  @Get(':workflowId')
  @Roles('operator')
  @ApiOkResponse({ type: MessageViewDto })
  @ApiNotFoundResponse({ description: 'no such workflow' })
  get(@Param() params: WorkflowIdParamDto): Promise<MessageViewDto> {
    return this.messages.get(params.workflowId);
  }
}
