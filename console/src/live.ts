import { useEffect, useRef } from 'preact/hooks';
import type { LiveEvent } from './types';

/** An alert opened, changed level, or resolved itself. */
export const ALERT_EVENTS = ['alert.opened', 'alert.changed', 'alert.resolved'] as const;

/** The page's one event stream, fanned out to whichever panels are on screen. */
type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();

export function publish(event: LiveEvent): void {
  for (const listener of [...listeners]) listener(event);
}

/** Turns one SSE message into a live event; `reset` (the server's replay window was passed) has no body. */
export function toLiveEvent(event: string, data: string, id?: string): LiveEvent | undefined {
  if (event === 'reset') return { type: 'reset', id };
  try {
    const parsed = JSON.parse(data) as LiveEvent;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    return { ...parsed, type: parsed.type ?? event, id: parsed.id ?? id };
  } catch {
    return undefined;
  }
}

/**
 * Calls `handler` for events of the given types (and for `reset`, when lists must be
 * read again). The handler may change between renders; the subscription does not.
 */
export function useLive(types: readonly string[], handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    const listener: Listener = (event) => {
      if (event.type === 'reset' || wanted.has(event.type)) ref.current(event);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [key]);
}
