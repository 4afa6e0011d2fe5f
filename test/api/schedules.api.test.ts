import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { dataConverterFor } from '../../src/codec';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc, ZodValidationPipe } from 'nestjs-zod';
import { JSON_BODY_LIMIT } from '../../src/api/app';
import { AppModule } from '../../src/api/app.module';
import { HttpExceptionFilter } from '../../src/api/common/http-exception.filter';
import { jsonBody } from '../../src/api/common/json-body';
import { SchedulesModule } from '../../src/api/schedules/schedules.module';
import { loadConfig, type AppConfig } from '../../src/config';
import { CLEANUP_SCHEDULE_ID } from '../../src/contracts';
import { Task } from '../../src/persistence/entities/task.entity';
import { eventually, getJson, postJson } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

/**
 * The app as `createApp` builds it (global ZodValidationPipe, HttpExceptionFilter, jsonBody, OpenAPI),
 * with SchedulesModule beside AppModule until AppModule imports it; Nest registers a module
 * once, so this keeps working after that.
 */
async function startSchedulesApi(options: { address: string; taskQueue: string; database: TestDatabase }): Promise<{ app: INestApplication; baseUrl: string; config: AppConfig }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    SWITCHBOARD_CONFIG: '',
    ...databaseEnv(options.database),
  });
  @Module({ imports: [AppModule.register(config), SchedulesModule] })
  class SchedulesTestRoot {}
  const app = await NestFactory.create<NestExpressApplication>(SchedulesTestRoot, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.use(...jsonBody(JSON_BODY_LIMIT));
  app.useGlobalPipes(new ZodValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Switchboard').build());
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'docs/openapi.json' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${port}`, config };
}

async function send(method: 'POST' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Wall-clock "HH:MM" of an instant in a time zone. */
function clockIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

describe('schedules API end to end', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let api: { app: INestApplication; baseUrl: string; config: AppConfig };
  const taskQueue = uniqueTaskQueue('api-schedules');
  const suffix = randomUUID().slice(0, 8);
  const created = new Set<string>();

  const url = (path = '') => `${api.baseUrl}/api/schedules${path}`;
  const uniqueId = (name: string) => `test-${name}-${suffix}-${randomUUID().slice(0, 6)}`;
  const createSchedule = async (body: Record<string, unknown>) => {
    const res = await postJson(url(), body);
    if (res.status === 201) created.add(res.body.id);
    return res;
  };
  const cleanup = (extra: Record<string, unknown> = {}) => ({ workflow: 'cleanupTasks', input: { olderThanDays: 30 }, ...extra });

  beforeAll(async () => {
    ctx = await connectTemporal();
    database = await openTestDatabase('sqlite');
    worker = await startTestWorker(ctx, taskQueue, database.db);
    api = await startSchedulesApi({ address: ctx.address, taskQueue, database });
  });

  afterAll(async () => {
    for (const id of created) {
      await ctx.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await api?.app.close();
    await worker?.stop();
    await database?.close();
    await ctx?.close();
  });

  it('creates a cron schedule in a time zone and reads it back', async () => {
    const id = uniqueId('cron');
    const res = await createSchedule(cleanup({ id, cron: '30 2 * * 1-5', timezone: 'Europe/Madrid', note: 'weekday nights' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id,
      workflow: 'cleanupTasks',
      input: { olderThanDays: 30 },
      spec: { cron: '30 2 * * 1-5', timezone: 'Europe/Madrid' },
      paused: false,
      note: 'weekday nights',
      recentActions: [],
      taskQueue,
    });
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);

    const read = await getJson(url(`/${id}`));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, workflow: 'cleanupTasks', input: { olderThanDays: 30 }, spec: { cron: '30 2 * * 1-5', timezone: 'Europe/Madrid' } });
    expect(read.body.nextActionTimes).toHaveLength(5);
    for (const t of read.body.nextActionTimes as string[]) {
      expect(Date.parse(t)).toBeGreaterThan(Date.now());
      expect(clockIn(t, 'Europe/Madrid')).toBe('02:30');
      expect([0, 6]).not.toContain(new Date(new Date(t).toLocaleString('en-US', { timeZone: 'Europe/Madrid' })).getDay());
    }
  });

  it('creates an interval schedule in the business time zone by default', async () => {
    const id = uniqueId('every');
    const res = await createSchedule(cleanup({ id, every: '15m' }));
    expect(res.status).toBe(201);
    expect(res.body.spec).toEqual({ every: '15m', timezone: api.config.business.timezone });
    const read = await getJson(url(`/${id}`));
    const times = (read.body.nextActionTimes as string[]).map((t) => Date.parse(t));
    expect(times).toHaveLength(5);
    expect(times[0]).toBeGreaterThan(Date.now());
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(15 * 60_000);
  });

  it('creates a once schedule: one future action at the given second', async () => {
    const id = uniqueId('once');
    const at = new Date(Date.now() + 3 * 3_600_000 + 250);
    const expected = new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString();
    const res = await createSchedule(cleanup({ id, once: at.toISOString(), timezone: 'America/New_York' }));
    expect(res.status).toBe(201);
    expect(res.body.spec).toEqual({ once: expected, timezone: 'America/New_York' });
    expect(res.body.remainingActions).toBe(1);
    const read = await getJson(url(`/${id}`));
    expect(read.body.nextActionTimes).toEqual([expected]);
  });

  it('creates a paused segmentCampaign schedule with a generated id', async () => {
    const input = { purpose: 'winback_es', segment: { language: 'es', optedOut: false }, limit: 500 };
    const res = await createSchedule({ workflow: 'segmentCampaign', input, cron: '0 10 * * 1', paused: true, note: 'waiting for copy' });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^segmentCampaign-[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ workflow: 'segmentCampaign', input, paused: true, note: 'waiting for copy', spec: { cron: '0 10 * * 1' } });
  });

  it('lists the schedules of the namespace, with the nightly cleanup', async () => {
    const cron = await createSchedule(cleanup({ id: uniqueId('list-cron'), cron: '0 4 * * *', timezone: 'UTC' }));
    const every = await createSchedule(cleanup({ id: uniqueId('list-every'), every: '2h' }));
    const listed = await eventually(
      () => getJson(url()),
      (r) => [cron.body.id, every.body.id, CLEANUP_SCHEDULE_ID].every((id) => r.body.items?.some((s: { id: string }) => s.id === id)),
    );
    expect(listed.status).toBe(200);
    const byId = new Map((listed.body.items as { id: string }[]).map((s) => [s.id, s]));
    expect(byId.get(cron.body.id)).toMatchObject({ workflow: 'cleanupTasks', spec: { cron: '0 4 * * *', timezone: 'UTC' }, paused: false });
    expect(byId.get(every.body.id)).toMatchObject({ workflow: 'cleanupTasks', spec: { every: '2h' } });
    const nightly = byId.get(CLEANUP_SCHEDULE_ID) as { workflow: string; spec: { cron?: string } } | undefined;
    expect(nightly?.workflow).toBe('cleanupTasks');
    expect(nightly?.spec.cron).toEqual(expect.any(String));
  });

  it('still lists when one schedule was written with encryption keys this API does not have', async () => {
    const id = uniqueId('encrypted');
    const keys = `other:${randomBytes(32).toString('base64')}`;
    const encrypting = new Client({ connection: ctx.client.connection, dataConverter: dataConverterFor({ payloadEncryptionKeys: keys }) });
    await encrypting.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '3h' }] },
      action: { type: 'startWorkflow', workflowType: 'cleanupTasks', taskQueue, args: [{ olderThanDays: 30 }] },
      memo: { savedSpec: { kind: 'every', value: '3h', timezone: 'UTC' } },
      state: { paused: true },
    });
    created.add(id);
    const listed = await eventually(
      () => getJson(url()),
      (r) => r.status !== 200 || r.body.items?.some((s: { id: string }) => s.id === id),
    );
    expect(listed.status).toBe(200);
    // Its memo is unreadable here, so the spec comes from Temporal's own copy.
    expect(listed.body.items.find((s: { id: string }) => s.id === id)).toMatchObject({ workflow: 'cleanupTasks', spec: { every: '3h' }, paused: true });
  });

  it('pauses and unpauses with notes', async () => {
    const id = uniqueId('pause');
    await createSchedule(cleanup({ id, every: '1h' }));
    const paused = await send('POST', url(`/${id}/pause`), { note: 'maintenance window' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id, paused: true, note: 'maintenance window' });
    expect((await getJson(url(`/${id}`))).body).toMatchObject({ paused: true, note: 'maintenance window' });

    const unpaused = await send('POST', url(`/${id}/unpause`));
    expect(unpaused.status).toBe(200);
    expect(unpaused.body.paused).toBe(false);
    expect((await getJson(url(`/${id}`))).body.paused).toBe(false);

    expect((await send('POST', url(`/${id}/pause`), { reason: 'x' })).body.message).toMatch(/reason: unknown field/);
  });

  it('triggers a real cleanupTasks run on the task queue, which completes', async () => {
    // Two finished tasks old enough for the cleanup, one recent one it must keep.
    const repo = database.db.getRepository(Task);
    const task = (status: string) => {
      const id = randomUUID();
      return repo.create({
        id, taskType: 'inquiry', status, priority: 5, chatId: null, messageId: null, channel: 'api', assignedAgent: null, inputData: { body: 'old' },
        outputData: null, metadata: null, errorMessage: null, parentTaskId: null, workflowId: `task:${id}:attempt-0`, runId: null, step: 'message', retryCount: 0, maxRetries: 3,
      } as Partial<Task>);
    };
    const old = await repo.save([task('completed'), task('failed')]);
    const recent = await repo.save(task('completed'));
    await repo.createQueryBuilder().update().set({ createdAt: new Date(Date.now() - 90 * 86_400_000) }).whereInIds(old.map((t) => t.id)).execute();

    const id = uniqueId('trigger');
    await createSchedule(cleanup({ id, every: '1d' }));
    const triggered = await send('POST', url(`/${id}/trigger`));
    expect(triggered.status).toBe(200);
    expect(triggered.body).toMatchObject({ triggered: true, id });

    const withAction = await eventually(() => getJson(url(`/${id}`)), (r) => r.body.recentActions?.length === 1);
    const action = withAction.body.recentActions[0];
    expect(action.workflowId).toMatch(new RegExp(`^${id}-workflow`));
    expect(Date.parse(action.startedAt)).toBeGreaterThanOrEqual(Date.parse(action.scheduledAt) - 1000);
    const result = await ctx.client.workflow.getHandle(action.workflowId).result();
    expect(result).toEqual({ deleted: 2, transcriptsDeleted: 0 });
    const description = await ctx.client.workflow.getHandle(action.workflowId).describe();
    expect(description.taskQueue).toBe(taskQueue);
    expect(await repo.countBy({ id: recent.id })).toBe(1);
  });

  it('deletes a schedule: 204, then 404', async () => {
    const id = uniqueId('delete');
    await createSchedule(cleanup({ id, every: '1h' }));
    const deleted = await send('DELETE', url(`/${id}`));
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const gone = await getJson(url(`/${id}`));
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ statusCode: 404, error: 'Not Found', message: `id: no schedule ${id}` });
    expect((await send('DELETE', url(`/${id}`))).status).toBe(404);
  });

  it('answers 404 for an unknown schedule on every operation, 400 for a malformed id', async () => {
    const id = uniqueId('unknown');
    expect((await getJson(url(`/${id}`))).status).toBe(404);
    expect((await send('POST', url(`/${id}/pause`), {})).status).toBe(404);
    expect((await send('POST', url(`/${id}/unpause`), {})).status).toBe(404);
    expect((await send('POST', url(`/${id}/trigger`))).status).toBe(404);
    const bad = await getJson(url(`/${encodeURIComponent('no spaces allowed')}`));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^id: /);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await getJson(`${api.baseUrl}/docs/openapi.json`);
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/schedules']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/schedules/{id}']).sort()).toEqual(['delete', 'get']);
    for (const action of ['pause', 'unpause', 'trigger']) expect(paths[`/api/schedules/{id}/${action}`]).toHaveProperty('post');
    const body = doc.body.components.schemas.CreateScheduleDto;
    expect(body.properties.workflow.enum).toEqual(['cleanupTasks', 'segmentCampaign', 'evaluateAlerts']);
    expect(body.properties.input.description).toMatch(/olderThanDays/);
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['id', 'workflow', 'input', 'once', 'every', 'cron', 'timezone', 'paused', 'note']));
  });

  it('answers 409 for a duplicate id', async () => {
    const id = uniqueId('dup');
    expect((await createSchedule(cleanup({ id, every: '1h' }))).status).toBe(201);
    const again = await createSchedule(cleanup({ id, cron: '0 5 * * *' }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: `id: a schedule ${id} already exists` });
  });

  it.each([
    ['none of once, every, cron', cleanup(), /give exactly one of once, every, cron/],
    ['two of once, every, cron', cleanup({ every: '1h', cron: '0 5 * * *' }), /cron: give exactly one of once, every, cron \(got every, cron\)/],
    ['a past once', cleanup({ once: new Date(Date.now() - 60_000).toISOString() }), /once: must be in the future/],
    ['a once without an offset', cleanup({ once: '2031-01-01T09:00:00' }), /once: must be an ISO-8601 datetime/],
    ['a cron that is not 5 fields', cleanup({ cron: 'every day' }), /cron: must be a 5-field cron expression/],
    ['a cron the server refuses', cleanup({ cron: '61 * * * *' }), /cron: refused by Temporal: .*[Mm]inute/],
    ['an interval under a minute', cleanup({ every: '10s' }), /every: must be at least 1m/],
    ['a malformed interval', cleanup({ every: 'often' }), /every: must be a duration/],
    ['an unknown time zone', cleanup({ every: '1h', timezone: 'Mars/Olympus_Mons' }), /timezone: must be an IANA time zone/],
    ['an unknown workflow', { workflow: 'handleMessage', input: {}, every: '1h' }, /workflow: must be one of cleanupTasks, segmentCampaign/],
    ['an out-of-range cleanupTasks input', cleanup({ every: '1h', input: { olderThanDays: 0 } }), /input\.olderThanDays: /],
    ['a missing input', { workflow: 'cleanupTasks', every: '1h' }, /input: is required/],
    ['an unknown field in the input', cleanup({ every: '1h', input: { olderThanDays: 5, force: true } }), /input\.force: unknown field/],
    ['an invalid segmentCampaign input', { workflow: 'segmentCampaign', input: { purpose: 'Win-Back', segment: { optedOut: true } }, every: '1h' }, /input\.purpose: .*input\.segment\.optedOut: /],
    ['an evaluateAlerts input that is not empty', { workflow: 'evaluateAlerts', input: { now: '2031-01-01T09:00:00Z' }, every: '1h' }, /input\.now: unknown field/],
    ['an unknown field', cleanup({ every: '1h', repeat: true }), /repeat: unknown field/],
    ['a malformed id', cleanup({ every: '1h', id: 'has space' }), /^id: /],
    ['a note over 500 characters', cleanup({ every: '1h', note: 'x'.repeat(501) }), /note: /],
  ])('refuses %s with a 400 naming the field', async (_name, body, message) => {
    const res = await createSchedule(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(message);
  });
});
