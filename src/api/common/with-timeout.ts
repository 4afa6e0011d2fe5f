/**
 * Rejects when `promise` has not settled after `ms` (the message defaults to "no answer in
 * <ms> ms"); the timer is cleared either way, so nothing keeps the process alive.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `no answer in ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
