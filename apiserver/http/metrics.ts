// Prometheus metrics for the API server, named as Kubernetes names them so existing dashboards read them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const requestCounter = new Counter({
  name: 'apiserver_request_total',
  help: 'Requests by verb, group, resource, subresource and HTTP code.',
  labelNames: ['verb', 'group', 'resource', 'subresource', 'code'] as const,
  registers: [registry],
});

export const requestLatency = new Histogram({
  name: 'apiserver_request_duration_seconds',
  help: 'Request latency by verb and resource (watches excluded).',
  labelNames: ['verb', 'group', 'resource'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const watchMetrics = new Gauge({
  name: 'apiserver_longrunning_requests',
  help: 'Open watches by resource.',
  labelNames: ['resource'] as const,
  registers: [registry],
});
