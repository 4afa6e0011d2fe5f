import { assertTransition, canTransition, InvalidTransitionError, priorityForUrgency, priorityValue, TASK_STATUSES } from '../../src/domain/task-lifecycle';

describe('task lifecycle', () => {
  it('allows exactly the transitions of seed 000', () => {
    const allowed = TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      ['pending→in_progress', 'pending→cancelled', 'in_progress→completed', 'in_progress→failed', 'in_progress→cancelled', 'failed→pending'].sort(),
    );
  });

  it('refuses an illegal transition with an error naming both ends', () => {
    expect(() => assertTransition('completed', 'pending')).toThrow(InvalidTransitionError);
    expect(() => assertTransition('completed', 'pending')).toThrow(/status: cannot go from completed to pending/);
    expect(() => assertTransition('pending', 'completed')).toThrow(/allowed from pending: in_progress, cancelled/);
  });

  it('allows a retry only while retries remain', () => {
    expect(() => assertTransition('failed', 'pending', { retryCount: 2, maxRetries: 3 })).not.toThrow();
    expect(() => assertTransition('failed', 'pending', { retryCount: 3, maxRetries: 3 })).toThrow(/retry: the task has used all 3 retries/);
  });

  it('stores priorities as 1-10 with urgent highest', () => {
    expect(priorityValue('urgent')).toBe(10);
    expect(priorityValue('background')).toBe(1);
    expect(priorityValue('urgent')).toBeGreaterThan(priorityValue('high'));
    expect(priorityValue(7)).toBe(7);
    expect(() => priorityValue(11)).toThrow(/priority: must be an integer from 1 to 10/);
    expect(priorityForUrgency('urgent')).toBe(10);
    expect(priorityForUrgency('normal')).toBe(5);
  });
});
