import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ConversationListQueryDto, ConversationParamDto, TranscriptQueryDto } from './conversations.dto';
import { ConversationsService } from './conversations.service';

@ApiTags('conversations')
@Roles('operator')
@Controller('api/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** Recent chats with their last message, open question and handoff. */
  @Get()
  @ApiOkResponse({ description: '{conversations, nextCursor}: chats, newest activity first; pass nextCursor back as cursor for the next page (null on the last)' })
  @ApiBadRequestResponse({ description: 'a filter, the limit or the cursor is malformed' })
  list(@Query() q: ConversationListQueryDto) {
    return this.conversations.list({ channel: q.channel, state: q.state, chatId: q.chatId }, { limit: q.limit, cursor: q.cursor });
  }

  /** A chat's state and its transcript, oldest first, with each outbound message's delivery status. */
  @Get(':chatId')
  @ApiOkResponse({ description: '{chatId, channel, language, pending, handoff, messages, nextCursor}: messages oldest first' })
  @ApiBadRequestResponse({ description: 'the limit or the cursor is malformed' })
  @ApiNotFoundResponse({ description: 'nothing was ever recorded for this chat' })
  get(@Param() p: ConversationParamDto, @Query() q: TranscriptQueryDto) {
    return this.conversations.get(p.chatId, { limit: q.limit, cursor: q.cursor });
  }
}
