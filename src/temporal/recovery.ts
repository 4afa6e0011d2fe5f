/**
 * How fast the message path comes back after a worker dies. A workflow task the dead worker
 * had started is handed out again when its timeout passes (the server's default is 10 s),
 * and one waiting on the dead worker's sticky queue moves to the shared queue after the
 * worker's sticky schedule-to-start timeout (the SDK's default is 10 s): together up to
 * 20 s before a replacement sees the work. Message and conversation workflows do short
 * tasks (local activities; the SDK heartbeats a task whose local activities run longer), so
 * both are set low enough that in-flight messages resume within seconds.
 */
export const MESSAGE_WORKFLOW_TASK_TIMEOUT = '3 seconds';
export const STICKY_SCHEDULE_TO_START_TIMEOUT = '2 seconds';
