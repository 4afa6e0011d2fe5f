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
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
export { caughtSendError } from './caught-send-error';
