import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc, withQuery } from '../api';
import { pollMs, useConsole } from '../context';
import { relative, time, words } from '../format';
import { useAction, useInterval, useNow, useResource } from '../hooks';
import { Empty, Loading, Panel, PanelError, WorkflowLink } from '../ui';
import type { DefinitionView, ExecutionRow, ExecutionState, PendingCallback } from '../types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** User-defined workflows: pending callbacks first (they wait for a person), then definitions, executions and steps. */
export function Definitions() {
  const [definition, setDefinition] = useState<{ id: string; name?: string }>();
  const [execution, setExecution] = useState<string>();
  return (
    <div class="stack">
      <CallbacksPanel
        onOpen={(c) => {
          setDefinition({ id: c.workflowId, name: c.definitionName });
          setExecution(c.executionId);
        }}
      />
      <div class="columns">
        <DefinitionsPanel
          selected={definition?.id}
          onSelect={(d) => {
            setDefinition(d);
            setExecution(undefined);
          }}
        />
        {definition ? <ExecutionsPanel key={definition.id} definition={definition} selected={execution} onSelect={setExecution} /> : null}
        {execution ? <ExecutionPanel key={execution} executionId={execution} /> : null}
      </div>
    </div>
  );
}

function CallbacksPanel({ onOpen }: { onOpen: (c: PendingCallback) => void }) {
  const { live } = useConsole();
  const list = useResource((signal) => api<{ callbacks: PendingCallback[] }>(withQuery('/api/v1/callbacks', { status: 'pending' }), { signal }), []);
  useInterval(() => list.reload(), pollMs(live, 15_000));
  const now = useNow(15_000);
  const callbacks = list.data?.callbacks ?? [];
  return (
    <Panel title={`Callbacks waiting for a decision (${callbacks.length})`}>
      <PanelError message={list.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && callbacks.length === 0 ? <Empty>No execution is waiting for a callback.</Empty> : null}
      <ul class="items">
        {callbacks.map((c) => (
          <CallbackRow key={`${c.executionId}|${c.stepId}`} callback={c} now={now} onOpen={() => onOpen(c)} onDone={() => list.reload()} />
        ))}
      </ul>
    </Panel>
  );
}

function CallbackRow({ callback: c, now, onOpen, onDone }: { callback: PendingCallback; now: number; onOpen: () => void; onDone: () => void }) {
  const { operator } = useConsole();
  const action = useAction();
  const [done, setDone] = useState<string>();
  const decide = (approved: boolean) =>
    action.run(async () => {
      await api(`/api/v1/executions/${enc(c.executionId)}/callbacks/${enc(c.stepId)}`, { method: 'POST', body: { approved, by: operator } });
      setDone(approved ? 'approved' : 'refused');
      onDone();
    });
  return (
    <li class="item" data-testid="callback-item" data-execution-id={c.executionId} data-step-id={c.stepId}>
      <span class="item-title">
        {c.definitionName} · step {c.stepId}
      </span>
      <span class="item-meta">
        waiting since {time(c.waitingSince)} ({relative(c.waitingSince, now)}) ·{' '}
        <button type="button" class="link" onClick={onOpen}>
          steps
        </button>{' '}
        · <WorkflowLink workflowId={c.executionId} />
      </span>
      <span class="buttons">
        <button type="button" class="primary" data-testid="callback-approve" disabled={action.busy || done !== undefined} onClick={() => void decide(true)}>
          Approve
        </button>
        <button type="button" class="danger" data-testid="callback-refuse" disabled={action.busy || done !== undefined} onClick={() => void decide(false)}>
          Refuse
        </button>
        {done ? <span class="ok">{done}</span> : null}
      </span>
      <PanelError message={action.error} />
    </li>
  );
}

function DefinitionsPanel({ selected, onSelect }: { selected?: string; onSelect: (d: { id: string; name?: string }) => void }) {
  const { session } = useConsole();
  const [id, setId] = useState('');
  const open = (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        if (UUID.test(id.trim())) onSelect({ id: id.trim() });
      }}
    >
      <input type="text" placeholder="A definition id (uuid)" aria-label="Definition id" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      <button type="submit" disabled={!UUID.test(id.trim())}>
        Open
      </button>
    </form>
  );
  if (session.role !== 'admin') {
    return (
      <Panel title="Definitions">
        <p class="hint">The list of definitions is for admin keys. Open one by its id to follow its executions:</p>
        {open}
      </Panel>
    );
  }
  return <DefinitionList selected={selected} onSelect={onSelect} open={open} />;
}

function DefinitionList({ selected, onSelect, open }: { selected?: string; onSelect: (d: { id: string; name?: string }) => void; open: ComponentChildren }) {
  const [page, setPage] = useState(1);
  const list = useResource((signal) => api<{ items: DefinitionView[]; page: number; limit: number; total: number }>(withQuery('/api/v1/workflows', { page, limit: 50 }), { signal }), [page]);
  const forbidden = list.status === 403;
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.limit)) : 1;
  return (
    <Panel title={`Definitions${list.data ? ` (${list.data.total})` : ''}`}>
      {forbidden ? <p class="hint">The list of definitions is for admin keys.</p> : <PanelError message={list.error} />}
      <Loading when={list.loading && !list.data} />
      {list.data && list.data.items.length === 0 ? <Empty>No workflow is defined yet (POST /api/v1/workflows).</Empty> : null}
      <ul class="items">
        {(list.data?.items ?? []).map((d) => (
          <li key={d.workflow_id}>
            <button type="button" class={`item ${selected === d.workflow_id ? 'selected' : ''}`} data-testid="definition-item" data-definition-id={d.workflow_id} onClick={() => onSelect({ id: d.workflow_id, name: d.name })}>
              <span class="item-title">{d.name}</span>
              <span class="item-meta">
                v{d.version} · {d.steps.length} steps · updated {time(d.updated_at)}
              </span>
              {d.description ? <span class="preview">{d.description}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {pages > 1 ? (
        <div class="buttons">
          <button type="button" class="quiet" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            Previous
          </button>
          <span class="hint">
            page {page} of {pages}
          </span>
          <button type="button" class="quiet" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
            Next
          </button>
        </div>
      ) : null}
      {open}
    </Panel>
  );
}

function ExecutionsPanel({ definition, selected, onSelect }: { definition: { id: string; name?: string }; selected?: string; onSelect: (id: string) => void }) {
  const list = useResource((signal) => api<{ items: ExecutionRow[]; total: number }>(withQuery(`/api/v1/workflows/${enc(definition.id)}/executions`, { limit: 20 }), { signal }), [definition.id]);
  const running = (list.data?.items ?? []).some((e) => e.status === 'running');
  useInterval(() => list.reload(), running ? 5_000 : 30_000);
  return (
    <Panel
      title={`Executions of ${definition.name ?? definition.id}`}
      actions={
        <button type="button" class="quiet" onClick={() => list.reload()}>
          Refresh
        </button>
      }
    >
      <PanelError message={list.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && list.data.items.length === 0 ? <Empty>Never executed.</Empty> : null}
      <ul class="items">
        {(list.data?.items ?? []).map((e) => (
          <li key={e.execution_id}>
            <button type="button" class={`item ${selected === e.execution_id ? 'selected' : ''}`} data-testid="execution-item" data-execution-id={e.execution_id} data-status={e.status} onClick={() => onSelect(e.execution_id)}>
              <span class="item-title">
                <span class={`status status-${e.status}`}>{e.status}</span> {time(e.created_at)}
              </span>
              <span class="item-meta">
                v{e.version} · {e.execution_id}
                {e.finished_at ? ` · finished ${time(e.finished_at)}` : ''}
              </span>
              {e.error?.message ? <span class="preview">{e.error.message}</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function ExecutionPanel({ executionId }: { executionId: string }) {
  const state = useResource((signal) => api<ExecutionState>(`/api/v1/executions/${enc(executionId)}`, { signal }), [executionId]);
  useInterval(() => {
    if (state.data?.status === 'running') state.reload();
  }, 3_000);
  const s = state.data;
  return (
    <Panel title="Steps" actions={<WorkflowLink workflowId={executionId} label="execution in Temporal" />}>
      <PanelError message={state.error} />
      <Loading when={state.loading && !s} />
      {s ? (
        <>
          <p class="detail-meta">
            <span class={`status status-${s.status}`}>{s.status}</span> · started {time(s.started_at)}
            {s.finished_at ? ` · finished ${time(s.finished_at)}` : ''}
            {s.error ? ` · ${s.error.step_id ? `step ${s.error.step_id}: ` : ''}${s.error.message}` : ''}
          </p>
          <ol class="steps">
            {s.steps.map((step) => (
              <li key={step.step_id} class={`step step-${step.status}`} data-testid="execution-step" data-step-id={step.step_id} data-status={step.status}>
                <span class={`status status-${step.status}`}>{step.waiting_for_callback ? 'waiting for callback' : step.status}</span> <strong>{step.step_id}</strong> <span class="hint">{words(step.step_type)}</span>
                {step.attempts > 1 ? <span class="hint"> · {step.attempts} attempts</span> : null}
                {step.started_at ? <span class="hint"> · {time(step.started_at)}</span> : null}
                {step.error ? <span class="overdue-text"> · {step.error.message}</span> : null}
                {step.skipped_reason ? <span class="hint"> · {step.skipped_reason}</span> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Panel>
  );
}
