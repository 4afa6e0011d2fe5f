/**
 * The numbers behind the console's charts: aggregates over the projections (transcript,
 * tasks, agent logs, handoffs, outbound ledger), written once for SQLite and PostgreSQL.
 * Every function takes the range and the clock from its caller and reads indexed columns.
 */
export { agentPerformance, type AgentPerformance, type AgentStats } from './agent-stats';
export { followUpEffectiveness, type FollowUpStats, type PurposeEffect, type StepEffect } from './follow-up-stats';
export { handoffWaits, WAIT_BUCKETS, type HandoffWaits } from './handoff-stats';
export { HELD_INTENT, messagesPerHour, PENDING_INTENT, type MessageSeries } from './message-stats';
export { repliesByChannel, type ChannelReplies, type ReplyStats } from './reply-stats';
