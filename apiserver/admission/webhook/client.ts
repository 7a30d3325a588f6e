// Calling a webhook: an HTTPS POST of the AdmissionReview to clientConfig.url, or to a ready endpoint of
// clientConfig.service (found through the Service's EndpointSlices, verified for the name <name>.<namespace>.svc),
// trusting clientConfig.caBundle (the system roots when empty). Every call ends by the webhook's timeout, whatever the
// webhook does; every failure is a WebhookCallError worded as Go's HTTP client words it (`Post "https://...": ...`),
// so failurePolicy can decide and the client sees Kubernetes' message.
import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import type { KubeObject } from '../../../lib/api/types.js';
import { WebhookCallError } from './review.js';
import type { ServiceReference, Webhook } from './types.js';

/** A webhook's answer larger than this is refused (Kubernetes reads at most 3 MiB of it... and so do we). */
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

export interface EndpointLookup {
  /** Objects of a resource from the watch cache (`services`, `endpointslices.discovery.k8s.io`). */
  listCached(resource: string): KubeObject[];
}

interface Target {
  /** The URL as messages show it (Kubernetes shows the Service's DNS name, not the endpoint). */
  shown: string;
  host: string;
  port: number;
  path: string;
  servername?: string;
}

class ResolveError extends Error {}

/** A ready endpoint of the Service for the port: the EndpointSlice port with the Service port's name. */
export function resolveService(ref: ServiceReference, lookup: EndpointLookup): { host: string; port: number } {
  const svc = lookup.listCached('services').find((s) => s.metadata.namespace === ref.namespace && s.metadata.name === ref.name);
  if (!svc) throw new ResolveError(`service ${JSON.stringify(ref.name)} not found`);
  const ports = (svc.spec?.ports ?? []) as Array<{ name?: string; port?: number }>;
  const sp = ports.find((p) => p.port === ref.port);
  if (!sp) throw new ResolveError(`no service port ${ref.port} found for service ${JSON.stringify(ref.name)}`);
  const slices = lookup.listCached('endpointslices.discovery.k8s.io')
    .filter((s) => s.metadata.namespace === ref.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === ref.name);
  for (const slice of slices) {
    type Endpoint = { addresses?: string[]; conditions?: { ready?: boolean } };
    const sl = slice as KubeObject & { ports?: Array<{ name?: string; port?: number }>; endpoints?: Endpoint[] };
    const port = (sl.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''))?.port;
    if (typeof port !== 'number') continue;
    for (const ep of sl.endpoints ?? []) {
      // an endpoint without a ready condition is ready, as Kubernetes reads it
      if (ep.conditions?.ready === false || !ep.addresses?.length) continue;
      return { host: ep.addresses[0] as string, port };
    }
  }
  throw new ResolveError(`no endpoints available for service ${JSON.stringify(ref.name)}`);
}

function target(h: Webhook, lookup: EndpointLookup): Target {
  const timeout = `timeout=${h.timeoutSeconds}s`;
  const cc = h.clientConfig;
  if (cc.service) {
    const s = cc.service;
    const dns = `${s.name}.${s.namespace}.svc`;
    const path = s.path || '/';
    const shown = `https://${dns}:${s.port}${path}?${timeout}`;
    try {
      const ep = resolveService(s, lookup);
      return { shown, host: ep.host, port: ep.port, path: `${path}?${timeout}`, servername: dns };
    } catch (e) {
      if (e instanceof ResolveError) throw new WebhookCallError(h.name, `failed to call webhook: Post ${JSON.stringify(shown)}: ${e.message}`);
      throw e;
    }
  }
  const u = new URL(cc.url ?? '');
  const path = `${u.pathname || '/'}?${timeout}`;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { shown: `${u.protocol}//${u.host}${path}`, host, port: u.port ? Number(u.port) : 443, path };
}

/** Go's wording of a failed request (dial, TLS, timeout), from Node's error. */
function goReason(e: NodeJS.ErrnoException & { reason?: string }, t: Target): string {
  const addr = `${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${t.host}: no such host`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${t.servername ?? t.host}`;
    default: return e.message;
  }
}

/** What Go's REST client says of a non-2xx answer that is not a Status. */
function httpFailure(code: number, body: string): string {
  if (code === 404) return 'the server could not find the requested resource';
  if (code >= 500 && body.trim()) return `an error on the server (${JSON.stringify(body.trim().slice(0, 1024))}) has prevented the request from succeeding`;
  return `the server responded with the status code ${code} but did not return more information`;
}

export class WebhookClient {
  // one pool per CA and server name (the agent keys connections by them): webhooks are called on every matching write
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 8, timeout: 60_000 });

  constructor(private readonly lookup: EndpointLookup) {}

  /** POSTs the review; resolves to the decoded answer. Rejects with WebhookCallError only. */
  post(h: Webhook, review: unknown): Promise<unknown> {
    let t: Target;
    try {
      t = target(h, this.lookup);
    } catch (e) {
      return Promise.reject(e instanceof WebhookCallError ? e : new WebhookCallError(h.name, `failed to call webhook: ${(e as Error).message}`));
    }
    const body = Buffer.from(JSON.stringify(review));
    const fail = (reason: string) => new WebhookCallError(h.name, `failed to call webhook: Post ${JSON.stringify(t.shown)}: ${reason}`);
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const done = (err: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      };
      const req = request({
        host: t.host, port: t.port, path: t.path, method: 'POST', agent: this.agent,
        ca: h.clientConfig.caBundle || undefined, servername: t.servername ?? (isIP(t.host) ? undefined : t.host),
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            done(fail(`the webhook's response is larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => done(fail(goReason(e, t))));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (code < 200 || code > 299) {
            const status = parsed as { kind?: string; message?: string } | undefined;
            return done(fail(status?.kind === 'Status' && status.message ? status.message : httpFailure(code, text)));
          }
          if (parsed === undefined) return done(new WebhookCallError(h.name, `failed to call webhook: couldn't get version/kind; json parse error: ${text ? 'invalid character in the response' : 'unexpected end of JSON input'}`));
          done(undefined, parsed);
        });
      });
      // the webhook's timeout bounds the whole call: connect, TLS, the answer
      const timer = setTimeout(() => {
        req.destroy();
        done(fail('context deadline exceeded'));
      }, h.timeoutSeconds * 1000);
      req.on('error', (e) => done(fail(goReason(e, t))));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
