import client from 'prom-client';
import type { NextFunction, Request, Response } from 'express';

/** Prometheus metrics, served at /metrics in the text exposition format. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const metrics = {
  requests: new client.Counter({
    name: 'wayfinder_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  latency: new client.Histogram({
    name: 'wayfinder_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  launches: new client.Counter({
    name: 'wayfinder_launches_total',
    help: 'LTI launches by outcome (accepted, refused) and reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  }),
};

/** Records each request under its route pattern (not the raw path, which would explode label cardinality). */
export function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = metrics.latency.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : req.baseUrl || req.path;
    end({ method: req.method, route });
    metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
