/**
 * `work` over `items`, at most `concurrency` at a time, in batches, stopping before the next
 * batch once `enough` holds for the results so far. Results keep the items' order.
 */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>, enough: (results: R[]) => boolean = () => false): Promise<{ results: R[]; done: number }> {
  const results: R[] = [];
  let done = 0;
  while (done < items.length && !enough(results)) {
    const batch = items.slice(done, done + concurrency);
    results.push(...(await Promise.all(batch.map(work))));
    done += batch.length;
  }
  return { results, done };
}
