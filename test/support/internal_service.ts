import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an internal service an attacker would like the tool to reach (a metadata
 * endpoint, an admin console on loopback): a real HTTP server on 127.0.0.1 that records every
 * request it gets and answers with `handler`.
 */
export interface InternalService {
  url: string;
  port: number;
  hits: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startInternalService(handler: http.RequestListener): Promise<InternalService> {
  const hits: InternalService['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with the given status. */
export const json = (status: number, body: unknown): http.RequestListener => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
