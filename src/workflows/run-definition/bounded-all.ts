import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { describeFailure, StepError } from './failures';

/** Runs `fn` over `items`, at most `limit` at a time, in a scope that one failure cancels. */
export async function boundedAll<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, label: (index: number) => string): Promise<R[]> {
  const results = new Array<R>(items.length);
  const scope = new CancellationScope();
  let first: unknown;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (first === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        if (first !== undefined) continue;
        if (isCancellation(err) && scope.consideredCancelled) {
          first = err;
        } else {
          const { message, type } = describeFailure(err);
          first = new StepError(`${label(index)} failed: ${message}`, type);
        }
        scope.cancel();
      }
    }
  };
  await scope.run(() => Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane)));
  if (first !== undefined) throw first;
  return results;
}
