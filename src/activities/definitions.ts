import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type {
  DefinitionActivities,
  HttpRequestInput,
  HttpStepOutput,
  LoadDefinitionInput,
  RecordExecutionInput,
  RunAgentTaskInput,
  StepActivityResult,
  StoredDefinition,
} from '../contracts/run-definition';
import { agentTasks } from '../domain/agent-registry';
import { scoreLead, type LeadScore } from '../domain/lead-scoring';
import { TASK_PRIORITIES } from '../domain/task-lifecycle';
import { Company } from '../persistence/entities/company.entity';
import { recordExecutionStatus, toStoredDefinition } from '../persistence/definition-store';
import { WorkflowDefinition } from '../persistence/entities/workflow-definition.entity';
import type { KnowledgeSearch } from './deps';

/** Failure types of the definition activities; the workflow and the API read them. */
export const DEFINITION_FAILURES = {
  agentTaskNotFound: 'AgentTaskNotFound',
  invalidParameters: 'InvalidParameters',
  hostNotAllowed: 'HostNotAllowed',
  httpStatus: 'HttpStatus',
  httpNetwork: 'HttpNetworkError',
  httpTimeout: 'HttpTimeout',
  definitionNotFound: 'DefinitionNotFound',
} as const;

/** An `http` step's response body is cut at this size; so is the research agent's page read. */
export const HTTP_RESPONSE_CAP_BYTES = 1024 * 1024;
const WEBSITE_CAP_BYTES = 256 * 1024;
const WEBSITE_TIMEOUT_MS = 5_000;
const HTTP_TIMEOUT_MS = 30_000;
/** Response headers an `http` step's output keeps; the rest are noise for a workflow. */
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'etag', 'last-modified', 'retry-after'];

export interface DefinitionActivityDeps {
  db: DataSource;
  knowledgeBase: KnowledgeSearch;
  /** Hosts `http` steps and the research agent may call: exact names (optionally `:port`) or `*.suffix`. */
  httpAllowedHosts: readonly string[];
  /** Tests shrink these to see the cap and the timeout at work. */
  websiteCapBytes?: number;
  websiteTimeoutMs?: number;
  httpTimeoutMs?: number;
}

/**
 * True when `url`'s host is on the allow-list. An entry is a host name (`api.example.com`),
 * a host and port (`127.0.0.1:8080`), or `*.example.com` for any subdomain of it (not the
 * apex). Matching is case-insensitive; nothing is allowed when the list is empty.
 */
export function isHostAllowed(url: URL, allowList: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const host = url.host.toLowerCase();
  return allowList.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    if (entry.startsWith('*.')) return hostname.endsWith(entry.slice(1)) && hostname.length > entry.length - 1;
    return entry === hostname || entry === host;
  });
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, DEFINITION_FAILURES.invalidParameters);
}

function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** The attempt of the running activity; 1 when called outside a worker (unit tests). */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

function activitySignal(timeoutMs: number): AbortSignal {
  const signals = [AbortSignal.timeout(timeoutMs)];
  try {
    signals.push(Context.current().cancellationSignal);
  } catch {
    // outside a worker: the timeout alone
  }
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** How long a request may take: the step's own start-to-close (less a margin), at most `cap`. */
function requestTimeoutMs(cap: number): number {
  try {
    const budget = Context.current().info.startToCloseTimeoutMs;
    if (budget > 0) return Math.max(100, Math.min(cap, budget - 250));
  } catch {
    // outside a worker
  }
  return cap;
}

/** Reads at most `cap` bytes of a body and stops the download there. */
async function readCapped(res: Response, cap: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), truncated: false };
    if (size + value.byteLength > cap) {
      chunks.push(Buffer.from(value.subarray(0, cap - size)));
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(Buffer.from(value));
    size += value.byteLength;
  }
}

/** fetch's errors come from Node's realm (not `instanceof Error` under Jest): read them by shape. */
function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown })?.name;
  return typeof name === 'string' ? name : undefined;
}

function describeCause(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' && !message.includes(e.code) ? ` [${e.code}]` : '';
    if (message || code) parts.push(`${message}${code}`.trim());
  }
  return parts.join(' <- ') || String(err);
}

// ---------------------------------------------------------------------------------------
// Agent tasks

const money = z.union([
  z.number().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^[$€£]?\s*\d[\d,.]*\s*[kKmM]?$/, 'must be a number such as 50000 or "50k"')
    .transform((v) => {
      const factor = /k$/i.test(v) ? 1_000 : /m$/i.test(v) ? 1_000_000 : 1;
      return Number(v.replace(/[^\d.]/g, '')) * factor;
    }),
]);
const text = (max: number) => z.string().max(max);

/** A lead as CRMs and web forms hand it over; unknown fields are kept, not refused. */
const leadSchema = z.looseObject({
  name: text(200).optional(),
  company: text(200).optional(),
  email: text(320).optional(),
  website: text(2048).optional(),
  budget: money.optional(),
  timeframe: text(200).optional(),
  timeline: text(200).optional(),
  requirements: text(5000).optional(),
  need: text(5000).optional(),
  notes: text(5000).optional(),
  message: text(5000).optional(),
  role: text(200).optional(),
  title: text(200).optional(),
  company_size: z.number().int().nonnegative().optional(),
  employees: z.number().int().nonnegative().optional(),
});
type Lead = z.infer<typeof leadSchema>;

const priority = z.enum(Object.keys(TASK_PRIORITIES) as [keyof typeof TASK_PRIORITIES]);

/** The lead a task works on: `parameters.lead` first, else `input_data.lead`. */
function leadOf(input: RunAgentTaskInput): Lead {
  const fromParameters = input.parameters.lead !== undefined;
  const raw = fromParameters ? input.parameters.lead : input.input_data.lead;
  if (raw === undefined || raw === null) throw invalid('lead: give parameters.lead or input_data.lead (an object with name, email, budget, …)');
  const parsed = leadSchema.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssues(fromParameters ? 'parameters.lead' : 'input_data.lead', parsed.error));
  return parsed.data;
}

const QUARTER = /\bq([1-4])\W*(\d{4})\b|\b(\d{4})\W*q([1-4])\b/i;
const MONTH_YEAR = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A form's timeframe ("Q3 2026", "March 2027") as the words lead scoring understands,
 * measured from now; a timeframe already past says nothing about when they will buy.
 */
export function timelineFromTimeframe(timeframe: string, now: Date): { timeline?: string; signal?: string } {
  let end: Date | undefined;
  const q = timeframe.match(QUARTER);
  if (q) {
    const quarter = Number(q[1] ?? q[4]);
    const year = Number(q[2] ?? q[3]);
    end = new Date(Date.UTC(year, quarter * 3, 0));
  } else {
    const m = timeframe.match(MONTH_YEAR);
    if (m) end = new Date(Date.UTC(Number(m[2]), MONTHS.indexOf(m[1].slice(0, 3).toLowerCase()) + 1, 0));
  }
  if (!end) return { timeline: timeframe };
  const months = (end.getTime() - now.getTime()) / (30 * 24 * 3600 * 1000);
  if (months < 0) return { signal: `timeframe ${timeframe} is in the past` };
  if (months <= 1) return { timeline: 'this month' };
  if (months <= 6) return { timeline: `within ${Math.ceil(months)} months` };
  return { timeline: 'next year' };
}

function qualify(lead: Lead, now: Date): LeadScore & { qualified: boolean } {
  const timeframe = lead.timeframe ?? lead.timeline;
  const fromTimeframe = timeframe ? timelineFromTimeframe(timeframe, now) : {};
  const requirements = lead.requirements ?? lead.need;
  // A form's "requirements" field is a stated need, whatever words fill it.
  const parts = [requirements ? `require ${requirements}` : '', lead.notes ?? '', lead.message ?? ''];
  const score = scoreLead({
    text: parts.filter(Boolean).join('. '),
    budget: lead.budget,
    role: lead.role ?? lead.title,
    companySize: lead.company_size ?? lead.employees,
    timeline: fromTimeframe.timeline,
  });
  const signals = fromTimeframe.signal ? [...score.signals, fromTimeframe.signal] : score.signals;
  return { ...score, signals, qualified: score.grade !== 'cold' };
}

const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'icloud.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'mail.com', 'yandex.ru']);

function bareDomain(host: string): string {
  return host.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
}

function websiteUrl(website: string | undefined): URL | undefined {
  if (!website) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The company's domain: the email's, unless it is a free-mail address; else the website's. */
function leadDomain(lead: Lead, website: URL | undefined): string | undefined {
  const emailDomain = lead.email?.includes('@') ? bareDomain(lead.email.split('@').pop() ?? '') : undefined;
  if (emailDomain && !FREE_MAIL.has(emailDomain)) return emailDomain;
  return website ? bareDomain(website.hostname) : emailDomain;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

function clean(value: string | undefined, max = 300): string | undefined {
  if (value === undefined) return undefined;
  const flat = decodeEntities(value).replace(/\s+/g, ' ').trim();
  if (!flat) return undefined;
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The title, meta description and site name of an HTML page (regexes: pages are small and we read only the head). */
export function pageFacts(html: string): { title?: string; description?: string; siteName?: string } {
  const title = clean(html.match(/<title[^>]*>([\s\S]*?)<\/title>/i)?.[1]);
  const metas = new Map<string, string>();
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(/([a-z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) attrs.set(m[1].toLowerCase(), m[3] ?? m[4] ?? m[5] ?? '');
    const key = (attrs.get('name') ?? attrs.get('property'))?.toLowerCase();
    const content = attrs.get('content');
    if (key && content !== undefined && !metas.has(key)) metas.set(key, content);
  }
  return {
    title,
    description: clean(metas.get('description') ?? metas.get('og:description'), 500),
    siteName: clean(metas.get('og:site_name'), 200),
  };
}

export interface CompanyFacts {
  name: string | null;
  industry: string | null;
  size: string | null;
  country: string | null;
  description: string | null;
  website: string | null;
}

export interface EnrichedLead {
  domain: string | null;
  company: CompanyFacts;
  source: 'website' | 'directory' | 'none';
  /** Why a source was not used (a host off the allow-list, a timeout), for the person reading the run. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------

/**
 * The activities of user-defined workflows (seed 004): agent tasks, API calls, and the
 * store of definitions and executions. Every failure that retrying cannot fix is a
 * non-retryable ApplicationFailure whose type the workflow reports with the step.
 */
export function createDefinitionActivities(deps: DefinitionActivityDeps) {
  const websiteCap = deps.websiteCapBytes ?? WEBSITE_CAP_BYTES;
  const websiteTimeout = deps.websiteTimeoutMs ?? WEBSITE_TIMEOUT_MS;
  const httpTimeout = deps.httpTimeoutMs ?? HTTP_TIMEOUT_MS;

  /** Fetches a page on an allow-listed host, following at most 3 redirects that stay on the list. */
  async function fetchWebsite(start: URL, notes: string[]): Promise<{ url: URL; html: string } | undefined> {
    let url = start;
    for (let hop = 0; hop < 4; hop++) {
      if (!isHostAllowed(url, deps.httpAllowedHosts)) {
        notes.push(`website host ${url.host} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)`);
        return undefined;
      }
      let res: Response;
      try {
        res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml' }, signal: activitySignal(websiteTimeout) });
      } catch (err) {
        const name = errorName(err);
        notes.push(name === 'TimeoutError' || name === 'AbortError' ? `website did not answer within ${websiteTimeout} ms` : `website unreachable: ${describeCause(err)}`);
        return undefined;
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined);
        url = new URL(location, url);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        notes.push(`website answered ${res.status}`);
        return undefined;
      }
      try {
        const { bytes, truncated } = await readCapped(res, websiteCap);
        if (truncated) notes.push(`website page cut at ${websiteCap} bytes`);
        return { url, html: bytes.toString('utf8') };
      } catch (err) {
        notes.push(`website read failed: ${describeCause(err)}`);
        return undefined;
      }
    }
    notes.push('website redirected more than 3 times');
    return undefined;
  }

  async function enrichLead(input: RunAgentTaskInput): Promise<EnrichedLead> {
    const lead = leadOf(input);
    const website = websiteUrl(lead.website);
    const notes: string[] = [];
    if (lead.website && !website) notes.push(`website ${lead.website} is not an http(s) URL`);
    const domain = leadDomain(lead, website) ?? null;
    const listed = domain ? await deps.db.getRepository(Company).findOneBy({ domain }) : null;
    const directory: CompanyFacts | undefined = listed
      ? { name: listed.name, industry: listed.industry, size: listed.size, country: listed.country, description: listed.description, website: website?.toString() ?? `https://${listed.domain}` }
      : undefined;

    const page = website ? await fetchWebsite(website, notes) : undefined;
    if (page) {
      const facts = pageFacts(page.html);
      if (facts.title || facts.description || facts.siteName) {
        return {
          domain,
          company: {
            name: facts.siteName ?? facts.title ?? directory?.name ?? lead.company ?? lead.name ?? null,
            industry: directory?.industry ?? null,
            size: directory?.size ?? null,
            country: directory?.country ?? null,
            description: facts.description ?? directory?.description ?? null,
            website: page.url.toString(),
          },
          source: 'website',
          notes,
        };
      }
      notes.push('website page has no title or description');
    }
    if (directory) return { domain, company: directory, source: 'directory', notes };
    if (!domain) notes.push('lead has neither an email domain nor a website');
    else notes.push(`${domain} is not in the company directory`);
    return {
      domain,
      company: { name: lead.company ?? lead.name ?? null, industry: null, size: null, country: null, description: null, website: website?.toString() ?? null },
      source: 'none',
      notes,
    };
  }

  function priorityOf(input: RunAgentTaskInput): keyof typeof TASK_PRIORITIES {
    const parsed = priority.default('normal').safeParse(input.parameters.priority);
    if (!parsed.success) throw invalid(`parameters.priority: must be one of ${Object.keys(TASK_PRIORITIES).join(', ')}`);
    return parsed.data;
  }

  const TASKS: Record<string, (input: RunAgentTaskInput) => Promise<unknown>> = {
    'sales.qualify_lead': async (input) => {
      const p = priorityOf(input);
      const lead = leadOf(input);
      const score = qualify(lead, new Date());
      return {
        lead: { name: lead.name ?? null, company: lead.company ?? null, email: lead.email ?? null },
        score: score.total,
        grade: score.grade,
        qualified: score.qualified,
        bant: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline },
        signals: score.signals,
        priority: p,
      };
    },
    'lead.score_lead': async (input) => {
      const parsed = z
        .object({ text: z.string().trim().min(1).max(5000), budget: money.optional(), role: text(200).optional(), company_size: z.number().int().nonnegative().optional(), timeline: text(200).optional() })
        .safeParse(input.parameters);
      if (!parsed.success) throw invalid(describeIssues('parameters', parsed.error));
      const p = parsed.data;
      const score = scoreLead({ text: p.text, budget: p.budget, role: p.role, companySize: p.company_size, timeline: p.timeline });
      return { score: score.total, grade: score.grade, bant: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline }, signals: score.signals };
    },
    'research.enrich_lead': enrichLead,
    'inquiry.answer_question': async (input) => {
      const parsed = z.object({ question: z.string().trim().min(1).max(2000), language: z.enum(['en', 'es']).default('en') }).safeParse(input.parameters);
      if (!parsed.success) throw invalid(describeIssues('parameters', parsed.error));
      const { question, language } = parsed.data;
      const hits = deps.knowledgeBase.search(question, { language, intent: 'inquiry', limit: 3 });
      const [best] = hits;
      return {
        question,
        found: best !== undefined,
        answer: best ? best.snippet.trim() : null,
        source: best ? { id: best.id, title: best.title } : null,
        articles: hits.map((h) => ({ id: h.id, title: h.title, score: Number(h.score.toFixed(2)) })),
      };
    },
  };

  return {
    /** Runs one registry agent's task for an `agent_task` step. */
    async runAgentTask(input: RunAgentTaskInput): Promise<StepActivityResult> {
      const key = `${input.agent_type}.${input.task}`;
      const handler = agentTasks(input.agent_type)?.includes(input.task) ? TASKS[key] : undefined;
      if (!handler) throw ApplicationFailure.nonRetryable(`agent ${input.agent_type} has no task ${input.task}`, DEFINITION_FAILURES.agentTaskNotFound);
      const attempt = currentAttempt();
      const output = await handler({ ...input, parameters: input.parameters ?? {}, input_data: input.input_data ?? {}, upstream: input.upstream ?? {} });
      return { output, attempt };
    },

    /** An `http` step: one request to an allow-listed host, its answer parsed and capped. */
    async httpRequest(input: HttpRequestInput): Promise<StepActivityResult> {
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw invalid(`url: ${input.url} is not a valid URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`url: must be http or https, not ${url.protocol.replace(/:$/, '')}`);
      if (!isHostAllowed(url, deps.httpAllowedHosts)) {
        throw ApplicationFailure.nonRetryable(`url: host ${url.host} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)`, DEFINITION_FAILURES.hostNotAllowed);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(input.headers ?? {})) {
        if (/^(host|content-length|connection|transfer-encoding)$/i.test(name)) continue;
        headers.set(name, value);
      }
      let body: string | undefined;
      if (input.body !== undefined && input.body !== null && input.method !== 'GET') {
        body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
        if (typeof input.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      const attempt = currentAttempt();
      const timeoutMs = requestTimeoutMs(httpTimeout);
      let res: Response;
      try {
        res = await fetch(url, { method: input.method, headers, body, redirect: 'manual', signal: activitySignal(timeoutMs) });
      } catch (err) {
        const name = errorName(err);
        if (name === 'TimeoutError') throw ApplicationFailure.retryable(`${url.host} did not answer within ${timeoutMs} ms`, DEFINITION_FAILURES.httpTimeout);
        throw ApplicationFailure.retryable(`${url.host} unreachable: ${describeCause(err)}`, DEFINITION_FAILURES.httpNetwork);
      }
      const { bytes, truncated } = await readCapped(res, HTTP_RESPONSE_CAP_BYTES);
      const textBody = bytes.toString('utf8');
      const contentType = res.headers.get('content-type') ?? '';
      let parsed: unknown = textBody;
      if (!truncated && /[/+]json\b/i.test(contentType) && textBody !== '') {
        try {
          parsed = JSON.parse(textBody);
        } catch {
          parsed = textBody;
        }
      }
      const kept: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) kept[name] = value;
      }
      const output: HttpStepOutput & { truncated?: boolean } = { status: res.status, headers: kept, body: parsed, ...(truncated ? { truncated: true } : {}) };
      if (res.status >= 400) {
        const brief = textBody.replace(/\s+/g, ' ').trim().slice(0, 300);
        const message = `${input.method} ${url.host}${url.pathname} answered ${res.status}${brief ? `: ${brief}` : ''}`;
        const details = [{ status: res.status, body: brief }];
        // 5xx, 429 and 408 may succeed later; any other 4xx will be refused again.
        const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
        throw ApplicationFailure.create({ message, type: DEFINITION_FAILURES.httpStatus, details, nonRetryable: !retryable });
      }
      return { output, attempt };
    },

    /** A stored, live definition: the latest version, or the one asked for. */
    async loadDefinition(input: LoadDefinitionInput): Promise<StoredDefinition> {
      const repo = deps.db.getRepository(WorkflowDefinition);
      const row =
        input.version === undefined
          ? await repo.findOne({ where: { workflowId: input.workflow_id }, order: { version: 'DESC' } })
          : await repo.findOneBy({ workflowId: input.workflow_id, version: input.version });
      if (!row || row.deletedAt) {
        const which = input.version === undefined ? '' : ` version ${input.version}`;
        throw ApplicationFailure.nonRetryable(`workflow ${input.workflow_id}${which} not found`, DEFINITION_FAILURES.definitionNotFound);
      }
      return toStoredDefinition(row);
    },

    /** Brings an execution's row up to date; a finished row is never reopened, so a retry is harmless. */
    async recordExecution(input: RecordExecutionInput): Promise<void> {
      await recordExecutionStatus(deps.db, input);
    },
  } satisfies DefinitionActivities;
}

export type DefinitionActivityFunctions = ReturnType<typeof createDefinitionActivities>;
