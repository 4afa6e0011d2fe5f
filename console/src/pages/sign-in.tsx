import { useState } from 'preact/hooks';
import { api, ApiError, credentials } from '../api';
import type { SessionInfo } from '../types';

/** One key per tab: checked against the API, then kept in sessionStorage until sign-out or the tab closes. */
export function SignIn({ error, onSignedIn }: { error?: string; onSignedIn: (info: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [operator, setOperator] = useState(() => sessionStorage.getItem('switchboard.operator') ?? '');
  const [problem, setProblem] = useState<string | undefined>(error);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const info = await api<SessionInfo>('/api/console/session', { key: key.trim() });
      credentials.save(key.trim(), operator);
      onSignedIn(info);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setProblem('That key was refused');
      else if (err instanceof ApiError && err.status === 403) setProblem('That key may not use the console: sign in with an operator or admin key');
      else setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit}>
        <h1>Switchboard console</h1>
        <p class="hint">Sign in with an operator or admin API key. It stays in this tab only.</p>
        <label>
          Your name <span class="hint">(shown with your replies)</span>
          <input type="text" data-testid="signin-operator" name="operator" autocomplete="username" maxLength={128} placeholder="operator" value={operator} onInput={(e) => setOperator(e.currentTarget.value)} />
        </label>
        <label>
          API key
          <input type="password" data-testid="signin-key" name="key" autocomplete="current-password" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        {problem ? (
          <p class="panel-error" role="alert" data-testid="signin-error">
            {problem}
          </p>
        ) : null}
        <button type="submit" class="primary" data-testid="signin-submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
