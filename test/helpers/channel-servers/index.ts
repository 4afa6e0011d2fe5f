/**
 * Local stand-ins for the channel providers, speaking each one's real wire format so the
 * real clients (fetch, the `twilio` library, nodemailer, standardwebhooks) are exercised.
 */
export { ScriptedHttpServer, type ScriptedBehaviour, type ScriptedError, type RecordedHttpRequest } from './scripted-http-server';
export { GraphApiServer } from './graph-api-server';
export { TwilioServer } from './twilio-server';
export { SmtpTestServer, type ReceivedMail, type SmtpRejection } from './smtp';
export { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver';
export * from './whatsapp-payloads';

/** A port that was just listening and is now closed: a connection there is refused. */
export { freePort as closedPort } from '../../../src/devserver/free-port';
export { caughtSendError } from './caught-send-error';
