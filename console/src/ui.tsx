import type { ComponentChildren } from 'preact';
import { useConsole } from './context';
import { temporalLink } from './format';

/** A panel's error, in the API's own words. */
export function PanelError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="panel-error" role="alert" data-testid="panel-error">
      {message}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p class="loading">Loading…</p> : null;
}

/** Opens a workflow in the Temporal Web UI, in a new tab. */
export function WorkflowLink({ workflowId, label = 'workflow' }: { workflowId: string; label?: string }) {
  const { session } = useConsole();
  return (
    <a class="workflow-link" data-testid="workflow-link" href={temporalLink(session.temporalUi, workflowId)} target="_blank" rel="noopener noreferrer" title={`Open ${workflowId} in the Temporal Web UI`}>
      {label}
    </a>
  );
}

export function Panel({ title, actions, children, class: className }: { title: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string }) {
  return (
    <section class={`panel ${className ?? ''}`}>
      <header class="panel-head">
        <h2>{title}</h2>
        {actions ? <div class="panel-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
