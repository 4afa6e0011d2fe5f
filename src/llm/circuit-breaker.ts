export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs?: number;
  /** Injectable clock (ms), so tests can step past the cooldown without waiting. */
  now?: () => number;
  /**
   * Told when the circuit opens (or re-opens on a failed trial) and when it closes again, so
   * the worker can record its breaker where the alerts see it. Must not throw.
   */
  onStateChange?: (change: CircuitChange) => void;
}

/** A transition of the breaker: `open` on opening or re-opening, `closed` on the success that closes it. */
export interface CircuitChange {
  state: 'open' | 'closed';
  /** Consecutive provider failures at the change. */
  failures: number;
  at: Date;
}

export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_COOLDOWN_MS = 30_000;

/**
 * Stops calling an LLM provider that keeps failing, so a provider outage costs each
 * conversation one fast failure instead of a timeout per retry, and the provider is not
 * hammered while it recovers. One breaker per provider, shared by every activity in the
 * worker process.
 *
 * Only failures that say the provider is unhealthy (5xx, 429, timeouts, connection
 * errors) should be recorded: a rejected request or a bad answer means the provider is up.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly onStateChange?: (change: CircuitChange) => void;
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialStartedAt: number | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a positive integer, got ${this.failureThreshold}`);
    }
    if (!Number.isFinite(this.cooldownMs) || this.cooldownMs < 0) {
      throw new RangeError(`cooldownMs must be a non-negative number, got ${this.cooldownMs}`);
    }
  }

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Consecutive provider failures recorded since the last success. */
  get failures(): number {
    return this.consecutiveFailures;
  }

  /**
   * Whether a call may go out now. In half-open state this grants a single trial and
   * answers false to everyone else until the trial's outcome is recorded.
   */
  canRequest(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const now = this.now();
    // A trial whose outcome never arrives (the worker lost the call mid-flight) must not
    // wedge the breaker half-open forever: after another cooldown it counts as lost.
    if (this.trialStartedAt !== undefined && now - this.trialStartedAt < this.cooldownMs) return false;
    this.trialStartedAt = now;
    return true;
  }

  recordSuccess(): void {
    const wasOpen = this.openedAt !== undefined;
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.trialStartedAt = undefined;
    if (wasOpen) this.onStateChange?.({ state: 'closed', failures: 0, at: new Date(this.now()) });
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
    if (this.openedAt !== undefined) {
      // A failed trial, or a late failure of a call sent before the circuit opened: the
      // provider is still unhealthy, so wait a full cooldown again.
      this.openedAt = this.now();
      this.trialStartedAt = undefined;
      this.onStateChange?.({ state: 'open', failures: this.consecutiveFailures, at: new Date(this.openedAt) });
      return;
    }
    if (this.consecutiveFailures >= this.failureThreshold) {
      this.openedAt = this.now();
      this.onStateChange?.({ state: 'open', failures: this.consecutiveFailures, at: new Date(this.openedAt) });
    }
  }
}
