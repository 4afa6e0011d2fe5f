import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { StreamStatus } from './events';
import type { Resource } from './hooks';
import type { AlertView, SessionInfo } from './types';

export interface ConsoleState {
  session: SessionInfo;
  operator: string;
  live: StreamStatus;
  /** Open alerts, shared by the navigation's count and the alerts page. */
  openAlerts: Resource<{ alerts: AlertView[] }>;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole outside the signed-in console');
  return state;
}

/** How often lists are read again: rarely while events arrive live, often while they do not. */
export function pollMs(live: StreamStatus, liveMs = 30_000): number {
  return live === 'live' ? liveMs : 5_000;
}
