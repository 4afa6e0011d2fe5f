/** The API's response shapes the console reads (see src/api and docs/console.md). */

export type Role = 'admin' | 'operator';

export interface SessionInfo {
  role: Role;
  temporalUi: { url: string; namespace: string };
}

export interface LiveEvent {
  id?: string;
  type: string;
  at?: string;
  chatId?: string;
  channel?: string;
  workflowId?: string;
  data?: Record<string, unknown>;
}

export interface HandoffItem {
  workflowId: string;
  chatId: string;
  channel: string;
  reason: string;
  intent: string;
  request?: string | null;
  status: string;
  operator?: string | null;
  dueAt: string;
  respondBy?: string;
  overdue?: boolean;
  openedAt: string;
  messages?: Array<{ text: string; at: string; workflowId: string }>;
}

export interface TranscriptLine {
  direction: 'in' | 'out';
  text: string;
  at: string;
  workflowId: string;
  kind?: string;
  agent?: string;
  intent?: string;
  operator?: string;
  status?: string;
}

export interface Transcript {
  chatId: string;
  channel: string | null;
  language: string | null;
  pending: { kind: string; agent: string; intent: string; askedAt: string; expiresAt: string } | null;
  handoff: { workflowId: string; status: 'waiting' | 'answered' } | null;
  messages: TranscriptLine[];
  nextCursor: string | null;
}

export interface ConversationSummary {
  chatId: string;
  channel: string | null;
  language: string | null;
  lastMessage: { direction: 'in' | 'out'; text: string; at: string; workflowId: string; agent?: string; operator?: string } | null;
  pending: Transcript['pending'];
  handoff: Transcript['handoff'];
  turns: number;
  updatedAt: string | null;
}

export interface CampaignView {
  chatId: string;
  purpose: string;
  status: string;
  nextFireAt?: string | null;
  stepsSent: number;
  steps?: number;
  workflowId?: string;
  reason?: string;
}

export interface ScheduleItem {
  id: string;
  workflow: string | null;
  spec: { once?: string; every?: string; cron?: string; timezone: string };
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
  recentActions: Array<{ scheduledAt: string; startedAt: string; workflowId: string; runId: string }>;
}

export interface MessageStats {
  from: string;
  to: string;
  hours: string[];
  series: Array<{ intent: string; channel: string; counts: number[] }>;
  total: number;
}

export interface HandoffStats {
  open: { count: number; oldestWaitSeconds: number | null };
  answered: { count: number; avgWaitSeconds: number | null; p50WaitSeconds: number | null; p90WaitSeconds: number | null; maxWaitSeconds: number | null };
  timedOut: number;
  buckets: Array<{ le: number | string | null; count: number }>;
}

export interface ReplyStats {
  channels: Array<{ channel: string; sent: number; delivered: number; read: number; failed: number; pending: number }>;
}

export interface TaskStats {
  total: number;
  pending: number;
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  avg_completion_seconds: number | null;
  queue_size: number;
}

export interface AgentStats {
  agents: Array<{ agent: string; tasks_handled: number; completed: number; failed: number; failure_rate: number; avg_processing_seconds: number | null }>;
}

export interface FollowUpStats {
  purposes: Array<{ purpose: string; sent: number; answered: number; reply_rate: number; steps: Array<{ step: number; sent: number; answered: number; reply_rate: number }> }>;
}

export interface DefinitionView {
  workflow_id: string;
  version: number;
  name: string;
  description?: string | null;
  steps: Array<{ id?: string; step_id?: string; type?: string }>;
  updated_at: string | null;
}

export interface ExecutionRow {
  execution_id: string;
  workflow_id: string;
  version: number;
  status: string;
  created_at: string | null;
  finished_at: string | null;
  error?: { message?: string } | null;
}

export interface StepState {
  step_id: string;
  step_type: string;
  status: string;
  started_at?: string;
  finished_at?: string;
  attempts: number;
  error?: { message: string };
  skipped_reason?: string;
  waiting_for_callback?: boolean;
}

export interface ExecutionState {
  execution_id: string;
  workflow_id: string;
  version: number;
  status: string;
  started_at: string;
  finished_at?: string;
  steps: StepState[];
  error?: { message: string; step_id?: string };
}

export interface PendingCallback {
  executionId: string;
  workflowId: string;
  definitionName: string;
  stepId: string;
  waitingSince: string;
}

export type AlertLevel = 'info' | 'warning' | 'critical';

export interface AlertView {
  id: string;
  rule: string;
  subject: string;
  level: AlertLevel;
  title: string;
  detail?: string | null;
  value?: number | null;
  threshold?: number | null;
  status: 'open' | 'resolved';
  openedAt: string;
  lastSeenAt?: string | null;
  resolvedAt?: string | null;
}
