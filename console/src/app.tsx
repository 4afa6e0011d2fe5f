import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, authHeaders, credentials, onUnauthorized, refuseKey, withQuery } from './api';
import { ConsoleContext, type ConsoleState } from './context';
import { EventStream, type StreamStatus } from './events';
import { useInterval, useResource } from './hooks';
import { ALERT_EVENTS, publish, toLiveEvent, useLive } from './live';
import { href, PAGES, useRoute } from './router';
import type { AlertView, SessionInfo } from './types';
import { Alerts } from './pages/alerts';
import { Campaigns } from './pages/campaigns';
import { Conversations } from './pages/conversations';
import { Definitions } from './pages/definitions';
import { Inbox } from './pages/inbox';
import { SignIn } from './pages/sign-in';
import { Stats } from './pages/stats';

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [checking, setChecking] = useState(credentials.key !== null);
  const [refusal, setRefusal] = useState<string>();

  useEffect(() => {
    onUnauthorized((message) => {
      credentials.clear();
      setSession(null);
      setRefusal(message);
    });
    if (credentials.key === null) return;
    // A key kept from earlier in this tab: check it is still accepted.
    api<SessionInfo>('/api/console/session').then(
      (info) => {
        setSession(info);
        setChecking(false);
      },
      (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) setRefusal((err as Error).message);
        setChecking(false);
      },
    );
  }, []);

  if (checking) return <p class="loading center">Checking your key…</p>;
  if (!session) {
    return (
      <SignIn
        error={refusal}
        onSignedIn={(info) => {
          setRefusal(undefined);
          setSession(info);
        }}
      />
    );
  }
  return (
    <Console
      session={session}
      onSignOut={() => {
        credentials.clear();
        setSession(null);
        setRefusal(undefined);
      }}
    />
  );
}

function Console({ session, onSignOut }: { session: SessionInfo; onSignOut: () => void }) {
  const route = useRoute();
  const [live, setLive] = useState<StreamStatus>('reconnecting');
  const [streamProblem, setStreamProblem] = useState<string>();

  useEffect(() => {
    const stream = new EventStream({
      url: '/api/events',
      headers: () => authHeaders(),
      onEvent: (m) => {
        const event = toLiveEvent(m.event, m.data, m.id);
        if (event) publish(event);
      },
      onStatus: (status) => {
        setLive(status);
        if (status === 'live') setStreamProblem(undefined);
      },
      onUnauthorized: () => refuseKey(),
      onError: (message) => setStreamProblem(message),
    });
    stream.start();
    return () => stream.stop();
  }, []);

  const openAlerts = useResource((signal) => api<{ alerts: AlertView[] }>(withQuery('/api/alerts', { status: 'open' }), { signal }), []);
  useLive(ALERT_EVENTS, () => openAlerts.reload());
  useInterval(() => openAlerts.reload(), 30_000);

  const state: ConsoleState = { session, operator: credentials.operator, live, openAlerts };
  const alertCount = openAlerts.data?.alerts?.length;

  return (
    <ConsoleContext.Provider value={state}>
      <div class="shell">
        <header class="topbar">
          <a class="brand" href={href('inbox')}>
            Switchboard
          </a>
          <nav class="nav" aria-label="Console pages">
            {PAGES.map((p) => (
              <a key={p.page} href={href(p.page)} data-testid={`nav-${p.page}`} class={route.page === p.page ? 'active' : ''} aria-current={route.page === p.page ? 'page' : undefined}>
                {p.label}
                {p.page === 'alerts' ? (
                  <span
                    class={`count ${alertCount ? 'count-hot' : ''}`}
                    data-testid="alerts-count"
                    title={openAlerts.error ? `Alerts could not be read: ${openAlerts.error}` : `${alertCount ?? 0} open alerts`}
                  >
                    {alertCount === undefined ? (openAlerts.error ? '?' : '…') : alertCount}
                  </span>
                ) : null}
              </a>
            ))}
          </nav>
          <div class="session">
            <span class={`live live-${live}`} data-testid="live-status" title={live === 'live' ? 'Live updates are on' : (streamProblem ?? 'Connecting to live updates…')}>
              {live}
            </span>
            <span class="who" title={`Signed in with an ${session.role} key`}>
              {credentials.operator} · {session.role}
            </span>
            <button type="button" class="quiet" data-testid="signout" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <main class="content">
          {route.page === 'inbox' && <Inbox />}
          {route.page === 'conversations' && <Conversations chatId={route.param} />}
          {route.page === 'campaigns' && <Campaigns />}
          {route.page === 'stats' && <Stats />}
          {route.page === 'definitions' && <Definitions />}
          {route.page === 'alerts' && <Alerts />}
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
