/**
 * A bounded closed-loop HTTP load on loopback: `connections` workers, each with its own keep-alive socket,
 * for `seconds` or `maxRequests`, whichever comes first. Each worker builds its own requests (worker index →
 * method, path, headers, body), so sessions and ids can differ per worker.
 */
import http from 'node:http';

export interface Request {
  method?: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A label to split latencies by (mixed loads). */
  kind?: string;
  /** Anything the caller wants back in onResponse (e.g. the record's id). */
  tag?: string;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
  /** Status codes other than 2xx, by code. */
  statuses: Record<string, number>;
  byKind: Record<string, { n: number; p50: number; p95: number; errors: number }>;
  seconds: number;
}

export const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

export async function load(
  port: number,
  next: (worker: number) => Request,
  options: {
    seconds: number;
    connections: number;
    maxRequests?: number;
    /** Called with each answer (e.g. to track versions); worker, request, status, parsed JSON body. */
    onResponse?: (worker: number, req: Request, status: number, body: unknown) => void;
  },
): Promise<LoadResult> {
  const maxRequests = options.maxRequests ?? 200_000;
  const latencies: number[] = [];
  const kinds = new Map<string, { lat: number[]; errors: number }>();
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  const one = (agent: http.Agent, worker: number) =>
    new Promise<void>((resolve) => {
      const req = next(worker);
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const t = performance.now();
      const kind = kinds.get(req.kind ?? '') ?? { lat: [], errors: 0 };
      kinds.set(req.kind ?? '', kind);
      const fail = (status: string) => {
        errors++;
        kind.errors++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      };
      const r = http.request(
        {
          host: '127.0.0.1',
          port,
          path: req.path,
          method: req.method ?? 'GET',
          agent,
          headers: {
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...req.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - t;
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              latencies.push(ms);
              kind.lat.push(ms);
            } else fail(String(status));
            if (options.onResponse) {
              let body: unknown;
              try {
                body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              } catch {
                body = undefined;
              }
              options.onResponse(worker, req, status, body);
            }
            resolve();
          });
        },
      );
      r.on('error', () => {
        fail('network');
        resolve();
      });
      r.end(payload);
    });
  await Promise.all(
    Array.from({ length: options.connections }, async (_, worker) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (performance.now() < until && latencies.length + errors < maxRequests) await one(agent, worker);
      agent.destroy();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const byKind: LoadResult['byKind'] = {};
  for (const [k, v] of kinds) {
    v.lat.sort((a, b) => a - b);
    byKind[k] = { n: v.lat.length, p50: quantile(v.lat, 0.5), p95: quantile(v.lat, 0.95), errors: v.errors };
  }
  return {
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    requests: latencies.length,
    errors,
    statuses,
    byKind,
    seconds,
  };
}
