import { CircuitBreaker, retryAfterMs, MAX_RETRY_AFTER_MS } from '../../src/llm';

describe('CircuitBreaker', () => {
  let clock: number;
  const make = () => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it('opens after the threshold of consecutive failures only', () => {
    const breaker = make();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.canRequest()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.canRequest()).toBe(false);
  });

  it('lets exactly one trial through after the cooldown; success closes it', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock = 999;
    expect(breaker.canRequest()).toBe(false);
    clock = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.canRequest()).toBe(true);
    expect(breaker.canRequest()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.canRequest()).toBe(true);
    expect(breaker.failures).toBe(0);
  });

  it('a failed trial reopens it for a full cooldown', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock = 1500;
    expect(breaker.canRequest()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock = 2499;
    expect(breaker.canRequest()).toBe(false);
    clock = 2500;
    expect(breaker.canRequest()).toBe(true);
  });

  it('a trial whose outcome never arrives frees the slot after another cooldown', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock = 1000;
    expect(breaker.canRequest()).toBe(true);
    clock = 1999;
    expect(breaker.canRequest()).toBe(false);
    clock = 2000;
    expect(breaker.canRequest()).toBe(true);
  });

  it('rejects nonsense options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ cooldownMs: -1 })).toThrow(RangeError);
  });
});

describe('retryAfterMs', () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it('reads retry-after-ms, retry-after seconds and HTTP dates, capped', () => {
    expect(retryAfterMs(h({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': '1.5' }))).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(h({ 'retry-after': '86400' }))).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(h({}))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
