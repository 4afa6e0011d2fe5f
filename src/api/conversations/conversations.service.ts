import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  conversationsPage,
  findConversation,
  hasTranscript,
  transcriptPage,
  type ConversationFilters,
  type ConversationKey,
  type TranscriptKey,
} from '../../persistence/transcript-queries';
import { encodeConversationCursor, encodeTranscriptCursor } from './conversation-cursors';
import { conversationSummaryView, handoffView, pendingView, transcriptLineView } from './conversation-view';

/** Read-only facade over the transcript and the conversations rows; Temporal is not asked. */
@Injectable()
export class ConversationsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Recent chats, newest activity first. */
  async list(filters: ConversationFilters, page: { limit: number; cursor?: ConversationKey }) {
    const now = new Date();
    const result = await conversationsPage(this.db, { limit: page.limit, after: page.cursor, filters, now });
    return {
      conversations: result.items.map((s) => conversationSummaryView(s.conversation, s.lastMessage, now)),
      nextCursor: result.next ? encodeConversationCursor(result.next) : null,
    };
  }

  /** One chat with a page of its transcript, oldest first; 404 when nothing of it was ever recorded. */
  async get(chatId: string, page: { limit: number; cursor?: TranscriptKey }) {
    const now = new Date();
    const [conversation, lines] = await Promise.all([findConversation(this.db, chatId), transcriptPage(this.db, chatId, { limit: page.limit, after: page.cursor })]);
    if (!conversation && lines.items.length === 0 && !(await hasTranscript(this.db, chatId))) {
      throw new NotFoundException(`chatId: no conversation with chat id ${chatId}`);
    }
    const first = lines.items[0];
    return {
      chatId,
      channel: conversation?.channel ?? first?.channel ?? null,
      language: conversation?.language ?? null,
      pending: pendingView(conversation, now),
      handoff: handoffView(conversation),
      messages: lines.items.map(transcriptLineView),
      nextCursor: lines.next ? encodeTranscriptCursor(lines.next) : null,
    };
  }
}
