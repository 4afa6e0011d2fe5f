/**
 * @module workflows
 * Every workflow type the worker runs; the worker's only workflow entry and the bundle
 * root. Code reachable from here must stay deterministic: `@temporalio/workflow`, pure
 * modules from `src/domain` and `src/contracts`, and activity *types* only.
 */
export { cleanupTasks } from './cleanup-tasks.workflow';
export { conversation } from './conversation.workflow';
export { evaluateAlerts } from './evaluate-alerts.workflow';
export { followUpCampaign } from './follow-up-campaign.workflow';
export { handleMessage } from './handle-message.workflow';
export { runDefinition } from './run-definition.workflow';
export { runTask } from './run-task.workflow';
export { segmentCampaign } from './segment-campaign.workflow';
export { sendReminder } from './send-reminder.workflow';
