import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { currentTracing, installTracing } from '../../src/observability/tracing';

/** A collector stand-in: records what arrives at `/v1/traces`. */
async function startCollector() {
  const received: Array<{ path: string; contentType: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { received, endpoint: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('tracing export by OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  it('installs nothing when there is nowhere to send spans', () => {
    expect(installTracing({ serviceName: 'switchboard' })).toBeUndefined();
    expect(currentTracing()).toBeUndefined();
  });

  it('sends spans to <endpoint>/v1/traces with the service name, and keeps the active span across awaits', async () => {
    const collector = await startCollector();
    const tracing = installTracing({ serviceName: 'switchboard-otlp-test', component: 'worker', otlpEndpoint: `${collector.endpoint}/` });
    try {
      expect(tracing).toBeDefined();
      expect(() => installTracing({ serviceName: 'again', otlpEndpoint: collector.endpoint })).toThrow(/already installed/);
      const tracer = trace.getTracer('otlp-test');
      await tracer.startActiveSpan('outer-operation', async (outer) => {
        await new Promise((r) => setTimeout(r, 5));
        // The context manager carries the active span over the await.
        expect(trace.getSpan(context.active())?.spanContext().spanId).toBe(outer.spanContext().spanId);
        tracer.startSpan('inner-operation').end();
        outer.end();
      });
    } finally {
      await tracing?.shutdown(); // flushes the batch
      await collector.close();
    }
    expect(collector.received.length).toBeGreaterThanOrEqual(1);
    const [first] = collector.received;
    expect(first!.path).toBe('/v1/traces');
    expect(first!.contentType).toMatch(/application\/json/);
    const body = collector.received.map((r) => r.body).join('\n');
    expect(body).toContain('"outer-operation"');
    expect(body).toContain('"inner-operation"');
    expect(body).toContain('switchboard-otlp-test');
    expect(currentTracing()).toBeUndefined();
  });
});
