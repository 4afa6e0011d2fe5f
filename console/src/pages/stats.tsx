import type { ChartConfiguration } from 'chart.js';
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, withQuery } from '../api';
import { ChartCanvas, COLORS, PALETTE } from '../components/chart';
import { duration, percent, words } from '../format';
import { useDebounced, useInterval, useResource, type Resource } from '../hooks';
import { useLive } from '../live';
import { Loading, PanelError } from '../ui';
import type { AgentStats, FollowUpStats, HandoffStats, MessageStats, ReplyStats, TaskStats } from '../types';

const RANGES = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 168, label: 'Last 7 days' },
] as const;

const BASE_OPTIONS = { responsive: true, maintainAspectRatio: false, animation: false as const };
/** An axis of counts: from zero, whole numbers only. */
const COUNT_AXIS = { beginAtZero: true, ticks: { precision: 0 } };
const LEGEND_BELOW = { legend: { position: 'bottom' as const } };

/** The API's own numbers as charts, each with a caption and a table carrying the same numbers. */
export function Stats() {
  const [hours, setHours] = useState<number>(24);
  const range = { hours };
  const messages = useStat<MessageStats>('/api/stats/messages', range, (d) => Array.isArray(d.hours) && Array.isArray(d.series));
  const handoffs = useStat<HandoffStats>('/api/stats/handoffs', range, (d) => typeof d.open === 'object' && typeof d.answered === 'object' && Array.isArray(d.buckets));
  const replies = useStat<ReplyStats>('/api/stats/replies', range, (d) => Array.isArray(d.channels));
  const tasks = useStat<TaskStats>('/api/tasks/stats', {}, (d) => typeof d.total === 'number');
  const agents = useStat<AgentStats>('/api/agents/stats', range, (d) => Array.isArray(d.agents));
  // Follow-up steps are days apart: their effectiveness is read over whole days of the range.
  const followUps = useStat<FollowUpStats>('/api/follow-ups/stats', { days: Math.max(1, Math.round(hours / 24)) }, (d) => Array.isArray(d.purposes));
  const all = [messages, handoffs, replies, tasks, agents, followUps];
  const reloadAll = () => all.forEach((r) => r.reload());
  const refresh = useDebounced(reloadAll, 1500);
  useLive(['message.accepted', 'turn.finished', 'reply.sent', 'reply.status', 'handoff.opened', 'handoff.answered', 'campaign.step_sent'], refresh);
  useInterval(reloadAll, 30_000);

  return (
    <div class="stack">
      <div class="toolbar">
        <h1>Numbers</h1>
        <label>
          Range{' '}
          <select data-testid="stats-range" value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r.hours} value={String(r.hours)}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="quiet" onClick={reloadAll}>
          Refresh
        </button>
      </div>
      <div class="charts">
        <MessagesChart resource={messages} hours={hours} />
        <HandoffsChart resource={handoffs} />
        <RepliesChart resource={replies} />
        <TasksChart resource={tasks} />
        <AgentsChart resource={agents} />
        <FollowUpsChart resource={followUps} />
      </div>
    </div>
  );
}

/** One statistic over the range, checked for the shape the chart draws (an older API may answer something else). */
function useStat<T>(path: string, query: Record<string, number>, shaped: (data: T) => boolean): Resource<T> {
  const url = withQuery(path, query);
  return useResource(
    async (signal) => {
      const data = await api<T>(url, { signal });
      if (typeof data !== 'object' || data === null || !shaped(data)) throw new Error(`${path} answered in a shape this console does not know; is the API older than the console?`);
      return data;
    },
    [url],
  );
}

/** A chart's numbers as a table: for screen readers, for copying, and for the exact figures. */
function NumbersTable({ head, rows }: { head: string[]; rows: Array<{ key: string; cells: ComponentChildren[]; subtotal?: boolean }> }) {
  return (
    <table class="numbers">
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} class={r.subtotal ? 'subtotal' : undefined}>
            {r.cells.map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Figure({ testid, title, resource, children, wide }: { testid: string; title: string; resource: Resource<unknown>; children: ComponentChildren; wide?: boolean }) {
  return (
    <figure class={`panel chart ${wide ? 'wide' : ''}`} data-testid={testid}>
      <h2>{title}</h2>
      <PanelError message={resource.error} />
      <Loading when={resource.loading && resource.data === undefined} />
      {resource.data !== undefined ? children : null}
    </figure>
  );
}

function hourLabel(iso: string, hours: number): string {
  const d = new Date(iso);
  const hh = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return hours > 24 ? `${d.toLocaleDateString([], { weekday: 'short' })} ${hh}` : hh;
}

function MessagesChart({ resource, hours }: { resource: Resource<MessageStats>; hours: number }) {
  const data = resource.data;
  const config = useMemo<ChartConfiguration<'bar'> | undefined>(() => {
    if (!data) return undefined;
    return {
      type: 'bar',
      data: {
        labels: data.hours.map((h) => hourLabel(h, hours)),
        datasets: data.series.map((s, i) => ({ label: `${words(s.intent)} · ${s.channel}`, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length], stack: 'messages' })),
      },
      options: { ...BASE_OPTIONS, scales: { x: { stacked: true }, y: { ...COUNT_AXIS, stacked: true } }, plugins: LEGEND_BELOW },
    };
  }, [data, hours]);
  const totals = data ? data.series.map((s) => ({ ...s, sum: s.counts.reduce((a, b) => a + b, 0) })).sort((a, b) => b.sum - a.sum) : [];
  return (
    <Figure testid="chart-messages" title="Messages per hour, by intent and channel" resource={resource} wide>
      {config ? <ChartCanvas config={config} label="Messages per hour, stacked by intent and channel" /> : null}
      <figcaption>
        <span data-testid="stat-messages-total">{data?.total ?? 0}</span> messages in the range.
      </figcaption>
      <NumbersTable head={['Intent', 'Channel', 'Messages']} rows={totals.map((s) => ({ key: `${s.intent}|${s.channel}`, cells: [words(s.intent), s.channel, s.sum] }))} />
    </Figure>
  );
}

function bucketLabel(le: number | string | null): string {
  if (le === null || le === '+Inf' || le === 'Infinity') return 'longer';
  const n = Number(le);
  return Number.isFinite(n) ? `≤ ${duration(n)}` : String(le);
}

function HandoffsChart({ resource }: { resource: Resource<HandoffStats> }) {
  const data = resource.data;
  const config = useMemo<ChartConfiguration<'bar'> | undefined>(
    () =>
      data && {
        type: 'bar',
        data: { labels: data.buckets.map((b) => bucketLabel(b.le)), datasets: [{ label: 'answered handoffs', data: data.buckets.map((b) => b.count), backgroundColor: COLORS.info }] },
        options: { ...BASE_OPTIONS, scales: { y: COUNT_AXIS }, plugins: { legend: { display: false } } },
      },
    [data],
  );
  return (
    <Figure testid="chart-handoffs" title="Handoff waiting times" resource={resource}>
      {config ? <ChartCanvas config={config} label="How long answered handoffs waited for a person" /> : null}
      {data ? (
        <figcaption>
          {data.open.count} waiting now{data.open.count ? ` (oldest ${duration(data.open.oldestWaitSeconds)})` : ''}; {data.answered.count} answered: average {duration(data.answered.avgWaitSeconds)}, median {duration(data.answered.p50WaitSeconds)}, 90% within{' '}
          {duration(data.answered.p90WaitSeconds)}, longest {duration(data.answered.maxWaitSeconds)}; {data.timedOut} timed out.
        </figcaption>
      ) : null}
      <NumbersTable head={['Waited', 'Handoffs']} rows={(data?.buckets ?? []).map((b) => ({ key: String(b.le), cells: [bucketLabel(b.le), b.count] }))} />
    </Figure>
  );
}

function RepliesChart({ resource }: { resource: Resource<ReplyStats> }) {
  const data = resource.data;
  const config = useMemo<ChartConfiguration<'bar'> | undefined>(
    () =>
      data && {
        type: 'bar',
        data: {
          labels: data.channels.map((c) => c.channel),
          datasets: [
            { label: 'sent', data: data.channels.map((c) => c.sent), backgroundColor: COLORS.info },
            { label: 'delivered', data: data.channels.map((c) => c.delivered), backgroundColor: COLORS.ok },
            { label: 'read', data: data.channels.map((c) => c.read), backgroundColor: PALETTE[4] },
            { label: 'pending', data: data.channels.map((c) => c.pending), backgroundColor: COLORS.muted },
            { label: 'failed', data: data.channels.map((c) => c.failed), backgroundColor: COLORS.bad },
          ],
        },
        options: { ...BASE_OPTIONS, scales: { y: COUNT_AXIS }, plugins: LEGEND_BELOW },
      },
    [data],
  );
  return (
    <Figure testid="chart-replies" title="Replies sent and failed, by channel" resource={resource}>
      {config ? <ChartCanvas config={config} label="Replies by channel: sent, delivered, read, pending, failed" /> : null}
      <NumbersTable
        head={['Channel', 'Sent', 'Delivered', 'Read', 'Pending', 'Failed']}
        rows={(data?.channels ?? []).map((c) => ({ key: c.channel, cells: [c.channel, c.sent, c.delivered, c.read, c.pending, c.failed] }))}
      />
      {data && data.channels.length === 0 ? <figcaption>No replies in the range.</figcaption> : null}
    </Figure>
  );
}

const TASK_STATUSES = [
  ['pending', COLORS.muted],
  ['in_progress', COLORS.info],
  ['completed', COLORS.ok],
  ['failed', COLORS.bad],
  ['cancelled', COLORS.warn],
] as const;

function TasksChart({ resource }: { resource: Resource<TaskStats> }) {
  const data = resource.data;
  const config = useMemo<ChartConfiguration<'doughnut'> | undefined>(
    () =>
      data && {
        type: 'doughnut',
        data: { labels: TASK_STATUSES.map(([s]) => words(s)), datasets: [{ data: TASK_STATUSES.map(([s]) => data[s] ?? 0), backgroundColor: TASK_STATUSES.map(([, c]) => c) }] },
        options: { ...BASE_OPTIONS, plugins: LEGEND_BELOW },
      },
    [data],
  );
  return (
    <Figure testid="chart-tasks" title="Tasks" resource={resource}>
      {config ? <ChartCanvas config={config} label="Tasks by status" /> : null}
      {data ? (
        <figcaption>
          {data.total} tasks; average completion {duration(data.avg_completion_seconds)}; {data.queue_size} queued.
        </figcaption>
      ) : null}
      <table class="numbers">
        <tbody>
          {TASK_STATUSES.map(([s]) => (
            <tr key={s}>
              <th scope="row">{words(s)}</th>
              <td>{data?.[s] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Figure>
  );
}

function AgentsChart({ resource }: { resource: Resource<AgentStats> }) {
  const data = resource.data;
  const config = useMemo<ChartConfiguration<'bar'> | undefined>(
    () =>
      data && {
        type: 'bar',
        data: {
          labels: data.agents.map((a) => a.agent),
          datasets: [
            { label: 'completed', data: data.agents.map((a) => a.completed), backgroundColor: COLORS.ok, stack: 'tasks' },
            { label: 'failed', data: data.agents.map((a) => a.failed), backgroundColor: COLORS.bad, stack: 'tasks' },
            // The orchestrator routes rather than completes; a task may also still be in progress.
            { label: 'routed on or in progress', data: data.agents.map((a) => Math.max(0, a.tasks_handled - a.completed - a.failed)), backgroundColor: COLORS.muted, stack: 'tasks' },
          ],
        },
        options: { ...BASE_OPTIONS, indexAxis: 'y', scales: { x: { ...COUNT_AXIS, stacked: true }, y: { stacked: true } }, plugins: LEGEND_BELOW },
      },
    [data],
  );
  return (
    <Figure testid="chart-agents" title="Agent performance" resource={resource}>
      {config ? <ChartCanvas config={config} label="Tasks handled by each agent, completed and failed" /> : null}
      <NumbersTable
        head={['Agent', 'Tasks', 'Avg time', 'Failure rate']}
        rows={(data?.agents ?? []).map((a) => ({ key: a.agent, cells: [a.agent, a.tasks_handled, duration(a.avg_processing_seconds), percent(a.failure_rate)] }))}
      />
      {data && data.agents.length === 0 ? <figcaption>No agent has handled a task yet.</figcaption> : null}
    </Figure>
  );
}

function FollowUpsChart({ resource }: { resource: Resource<FollowUpStats> }) {
  const data = resource.data;
  const rows = (data?.purposes ?? []).flatMap((p) => p.steps.map((s) => ({ purpose: p.purpose, ...s })));
  const config = useMemo<ChartConfiguration<'bar'> | undefined>(
    () =>
      data && {
        type: 'bar',
        data: {
          labels: rows.map((r) => `${words(r.purpose)} #${r.step}`),
          datasets: [
            { label: 'sent', data: rows.map((r) => r.sent), backgroundColor: COLORS.info },
            { label: 'answered by the customer', data: rows.map((r) => r.answered), backgroundColor: COLORS.ok },
          ],
        },
        options: { ...BASE_OPTIONS, scales: { y: COUNT_AXIS }, plugins: LEGEND_BELOW },
      },
    [data],
  );
  return (
    <Figure testid="chart-follow-ups" title="Follow-up effectiveness" resource={resource}>
      {config ? <ChartCanvas config={config} label="Follow-up steps sent and answered, by purpose and step" /> : null}
      <NumbersTable
        head={['Purpose', 'Step', 'Sent', 'Answered', 'Reply rate']}
        rows={(data?.purposes ?? []).flatMap((p) => [
          { key: p.purpose, subtotal: true, cells: [words(p.purpose), 'all', p.sent, p.answered, percent(p.reply_rate)] },
          ...p.steps.map((st) => ({ key: `${p.purpose}|${st.step}`, cells: ['', st.step, st.sent, st.answered, percent(st.reply_rate)] })),
        ])}
      />
      {data && data.purposes.length === 0 ? <figcaption>No follow-up step has been sent yet.</figcaption> : null}
    </Figure>
  );
}
