import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  /** The failed call's HTTP status (0: unreachable). */
  status: number | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now and again whenever `deps` change or `reload()` is called, keeping the
 * last data on screen while it reloads; failures become a sentence for the panel.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: string; status?: number; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (err: unknown) => {
        if (controller.signal.aborted || (err as Error).name === 'AbortError') return;
        setState((s) => ({ data: s.data, error: errorText(err), status: err instanceof ApiError ? err.status : undefined, loading: false }));
      },
    );
    return () => controller.abort();
    // `deps` are the caller's; `load` is read through a ref so a new closure does not reload.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, status: state.status, loading: state.loading, reload };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Runs `fn` every `ms` while mounted. */
export function useInterval(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const timer = setInterval(() => ref.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** A function that runs `fn` once, `ms` after the last of a burst of calls. */
export function useDebounced(fn: () => void, ms: number): () => void {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => ref.current(), ms);
  }, [ms]);
}

/** The current time, refreshed every `ms` (waiting times tick on screen). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useInterval(() => setNow(Date.now()), ms);
  return now;
}

/** An action button's state: busy while it runs, its error shown beside it. */
export function useAction(): { busy: boolean; error: string | undefined; run: (work: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (err) {
      if (mounted.current) setError(errorText(err));
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}
