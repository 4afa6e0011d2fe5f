import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { chatReferenceFor } from '../src/codec';
import type { DataSource } from 'typeorm';
import type { ActivityDeps, OutboundProviders } from '../src/activities';
import { EmailSender, OutboundWebhook, TwilioWhatsAppClient, WhatsAppCloudClient } from '../src/channels';
import type { AppConfig } from '../src/config';
import { DEFAULT_OPENING_HOURS } from '../src/domain/business-calendar';
import { getKnowledgeBase } from '../src/knowledge';
import { CircuitBreaker, createLlmAgentModel, createLlmReplyWriter, createLlmTriage, createOpenAiClient } from '../src/llm';
import { breakerStateRecorder } from '../src/persistence/alert-store';

/**
 * Builds the activities' dependencies from the config: the database, the knowledge base
 * (loaded once), the business calendar, and the LLM services when a provider is set.
 * One breaker per worker process: a provider that keeps failing is left alone by every
 * activity on this worker until it recovers.
 */
export function activityDepsFromConfig(config: AppConfig, db: DataSource, temporal?: Client): ActivityDeps {
  const client = createOpenAiClient({ ...config.openai });
  // The breaker's transitions are recorded per worker process, where the alerts see every worker's.
  const recordBreaker = breakerStateRecorder(db, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, (err) =>
    Runtime.instance().logger.warn('could not record the LLM circuit breaker state', { error: (err as Error).message }),
  );
  const breaker = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000, onStateChange: (change) => void recordBreaker(change) });
  return {
    db,
    knowledgeBase: getKnowledgeBase(),
    business: {
      timezone: config.business.timezone,
      openingHours: DEFAULT_OPENING_HOURS,
      handoffTimeoutSeconds: config.business.handoffTimeoutSeconds,
      clarificationWindowSeconds: config.business.clarificationWindowSeconds,
    },
    providers: outboundProviders(config),
    temporal: temporal ? { client: temporal, taskQueue: config.temporal.taskQueue } : undefined,
    chatRef: chatReferenceFor(config.payloadEncryptionKeys),
    followUps: {
      rules: { stepsHours: config.followUps.stepsHours, quietHours: config.followUps.quietHours, defaultTimezone: config.business.timezone },
      stepsByPurpose: config.followUps.stepsByPurpose,
      dailyCap: config.followUps.dailyCap,
    },
    definitions: { httpAllowedHosts: config.definitions.httpAllowedHosts },
    conversations: { retentionDays: config.conversations.retentionDays },
    llm: client
      ? {
          triage: createLlmTriage({ client, model: config.openai.model, breaker }),
          replies: createLlmReplyWriter({ client, model: config.openai.model, breaker }),
        }
      : undefined,
    agentModel: client ? createLlmAgentModel({ client, model: config.openai.model, breaker }) : undefined,
    agentTools: { refundApprovalAboveCents: config.agentLoop.refundApprovalAboveCents },
    alerts: {
      handoffResponseSeconds: config.alerts.handoffResponseSeconds,
      windowMinutes: config.alerts.windowMinutes,
      failureRate: config.alerts.failureRate,
      minSamples: config.alerts.minSamples,
      taskStuckMinutes: config.alerts.taskStuckMinutes,
      followUpFailures: config.alerts.followUpFailures,
    },
  };
}

/** The outbound providers the config names; a channel without one records replies only. */
export function outboundProviders(config: AppConfig): OutboundProviders {
  const { whatsapp, twilio, smtp, outboundWebhook, sendConfirmWindowSeconds } = config.channels;
  return {
    whatsappCloud:
      whatsapp.accessToken && whatsapp.phoneNumberId
        ? new WhatsAppCloudClient({ baseUrl: whatsapp.apiBaseUrl, apiVersion: whatsapp.apiVersion, phoneNumberId: whatsapp.phoneNumberId, accessToken: whatsapp.accessToken })
        : undefined,
    twilio:
      twilio.accountSid && twilio.authToken && twilio.whatsappFrom
        ? new TwilioWhatsAppClient({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: twilio.whatsappFrom, baseUrl: twilio.apiBaseUrl })
        : undefined,
    email: smtp.url ? new EmailSender({ smtpUrl: smtp.url, from: smtp.from }) : undefined,
    webhook: outboundWebhook.url && outboundWebhook.secret ? new OutboundWebhook({ url: outboundWebhook.url, secret: outboundWebhook.secret }) : undefined,
    whatsappTemplate: { name: whatsapp.templateName, languageCode: whatsapp.templateLanguage },
    twilioTemplateContentSid: twilio.templateContentSid,
    confirmWindowMs: sendConfirmWindowSeconds * 1000,
  };
}
