import { Gauge } from 'prom-client';
import { apiRegistry, METRIC_PREFIX } from '../../observability/metrics';

/** Clients following `GET /api/events` in this process. */
export const eventClients = new Gauge({
  name: `${METRIC_PREFIX}event_clients`,
  help: 'Clients connected to the live event feed (GET /api/events) in this API process',
  registers: [apiRegistry],
});
