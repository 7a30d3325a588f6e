// A small HTTPS admission webhook for the tests (units and e2e): its certificate from a CA of its own, each request's
// AdmissionReview answered by a handler keyed by path. Not used by the server.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issue } from '../../auth/pki.js';

export interface ReviewRequestBody {
  uid: string;
  operation: string;
  namespace?: string;
  name?: string;
  dryRun?: boolean;
  object?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> } | null;
  oldObject?: unknown;
  userInfo?: { username?: string };
  [k: string]: unknown;
}

/** What a handler answers: the response's fields but uid (`patch` given as operations, encoded here). */
export interface ReviewAnswer {
  allowed: boolean;
  status?: Record<string, unknown>;
  patch?: unknown[];
  warnings?: string[];
}

export type ReviewHandler = (req: ReviewRequestBody) => ReviewAnswer | 'hang';

export interface TestWebhookServer {
  port: number;
  /** The CA's certificate, base64 as caBundle wants it. */
  caBundle: string;
  /** Every review received, in order (path and request). */
  received: Array<{ path: string; request: ReviewRequestBody }>;
  stop(): Promise<void>;
}

export interface WebhookServerOptions {
  dnsNames?: string[];
  /** The certificate's IP addresses (127.0.0.1 unless told). */
  ipAddresses?: string[];
}

export async function startWebhookServer(handlers: Record<string, ReviewHandler>, o: WebhookServerOptions = {}): Promise<TestWebhookServer> {
  const ca = await createCA('webhook-test-ca');
  const pair = await issue(ca, { commonName: 'webhook', usage: 'server', ipAddresses: o.ipAddresses ?? ['127.0.0.1'], dnsNames: o.dnsNames ?? [] });
  const received: TestWebhookServer['received'] = [];
  const server: Server = createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const handler = handlers[path];
      let review: { request: ReviewRequestBody };
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('bad json');
        return;
      }
      received.push({ path, request: review.request });
      if (!handler) return void res.writeHead(404).end();
      const out = handler(review.request);
      if (out === 'hang') return; // never answers: the API server's timeout must end the call
      const response: Record<string, unknown> = { uid: review.request.uid, allowed: out.allowed };
      if (out.status) response.status = out.status;
      if (out.warnings) response.warnings = out.warnings;
      if (out.patch) {
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(out.patch)).toString('base64');
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    received,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
