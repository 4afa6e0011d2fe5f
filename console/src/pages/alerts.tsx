import { api, withQuery } from '../api';
import { useConsole } from '../context';
import { relative, time, words } from '../format';
import { useAction, useInterval, useNow, useResource } from '../hooks';
import { ALERT_EVENTS, useLive } from '../live';
import { Empty, Loading, Panel, PanelError } from '../ui';
import type { AlertView } from '../types';

const LEVEL_WORDS: Record<string, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };
const LEVEL_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** Open alerts (worst first) and recently resolved ones; "Check now" evaluates the rules at once. */
export function Alerts() {
  const { openAlerts } = useConsole();
  const resolved = useResource((signal) => api<{ alerts: AlertView[] }>(withQuery('/api/alerts', { status: 'resolved' }), { signal }), []);
  useLive(ALERT_EVENTS, () => resolved.reload());
  useInterval(() => resolved.reload(), 30_000);
  const now = useNow(15_000);
  const action = useAction();

  const reloadBoth = () => {
    openAlerts.reload();
    resolved.reload();
  };
  const evaluate = () =>
    action.run(async () => {
      await api('/api/alerts/evaluate', { method: 'POST', body: {} });
      reloadBoth();
      // The evaluation runs in a workflow: read again once it has had a moment.
      setTimeout(reloadBoth, 1500);
    });

  const open = [...(openAlerts.data?.alerts ?? [])].sort((a, b) => (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) || a.openedAt.localeCompare(b.openedAt));
  return (
    <div class="stack">
      <Panel
        title={`Open alerts (${open.length})`}
        actions={
          <button type="button" data-testid="alerts-evaluate" disabled={action.busy} onClick={() => void evaluate()}>
            {action.busy ? 'Checking…' : 'Check now'}
          </button>
        }
      >
        <PanelError message={action.error} />
        <PanelError message={openAlerts.error} />
        <Loading when={openAlerts.loading && !openAlerts.data} />
        {openAlerts.data && open.length === 0 ? <Empty>All clear: no alert is open.</Empty> : null}
        <ul class="items">
          {open.map((a) => (
            <AlertRow key={a.id} alert={a} now={now} />
          ))}
        </ul>
      </Panel>
      <Panel title="Resolved">
        <PanelError message={resolved.error} />
        {resolved.data && resolved.data.alerts.length === 0 ? <Empty>Nothing resolved yet.</Empty> : null}
        <ul class="items">
          {(resolved.data?.alerts ?? []).map((a) => (
            <AlertRow key={a.id} alert={a} now={now} />
          ))}
        </ul>
      </Panel>
    </div>
  );
}

function AlertRow({ alert: a, now }: { alert: AlertView; now: number }) {
  const measured = a.value !== null && a.value !== undefined ? `${round(a.value)}${a.threshold !== null && a.threshold !== undefined ? ` (threshold ${round(a.threshold)})` : ''}` : '';
  return (
    <li class={`item alert level-${a.level} ${a.status === 'resolved' ? 'resolved' : ''}`} data-testid="alert-item" data-rule={a.rule} data-level={a.level} data-status={a.status} data-subject={a.subject}>
      <span class="item-title">
        <span class={`badge badge-${a.level}`}>{LEVEL_WORDS[a.level] ?? a.level}</span> {a.title}
      </span>
      <span class="item-meta">
        {words(a.rule)} · {a.subject} {measured ? `· ${measured}` : ''} · opened {time(a.openedAt)} ({relative(a.openedAt, now)})
        {a.status === 'resolved' && a.resolvedAt ? ` · resolved ${time(a.resolvedAt)}` : a.lastSeenAt ? ` · last seen ${relative(a.lastSeenAt, now)}` : ''}
      </span>
      {a.detail ? <span class="preview">{a.detail}</span> : null}
    </li>
  );
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
