/** The task queue workers poll and clients start workflows on, unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'switchboard';
