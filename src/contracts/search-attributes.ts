import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so the Web UI and `temporal workflow list --query` can find a
 * conversation. The dev server registers them at start; a self-hosted cluster needs
 * `temporal operator search-attribute create` once (README).
 */
export const CHAT_ID = defineSearchAttributeKey('ChatId', SearchAttributeType.KEYWORD);
export const INTENT = defineSearchAttributeKey('Intent', SearchAttributeType.KEYWORD);
export const AGENT = defineSearchAttributeKey('Agent', SearchAttributeType.KEYWORD);
export const CHANNEL = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CHAT_ID, INTENT, AGENT, CHANNEL] as const;
