// GET /openapi/v2 as Kubernetes' kube-openapi handler answers it: the Accept header picks JSON or gnostic's protobuf
// (kubectl asks for protobuf only), both under one ETag (the SHA-512 of the JSON) and Last-Modified, so a client's
// If-None-Match or If-Modified-Since gets a 304 without the ~400 KB body; gzip when the client accepts it. Nothing
// acceptable is a bare 406, as there.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseMediaTypes } from '../http/negotiate.js';
import type { ServedSwagger } from './v2.js';

export const SWAGGER_JSON = 'application/json';
/** What kubectl and client-go send in Accept (the `@` form kube-openapi calls deprecated but still serves). */
export const SWAGGER_PROTO_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What the protobuf form is answered as, whichever of the two spellings was asked for. */
export const SWAGGER_PROTO = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const FORMS: ReadonlyArray<{ type: string; sub: string; form: 'json' | 'proto' }> = [
  { type: 'application', sub: 'json', form: 'json' },
  { type: 'application', sub: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', form: 'proto' },
  { type: 'application', sub: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', form: 'proto' },
];

/** Responses smaller than this go out uncompressed (the gzip handler Kubernetes uses has the same threshold). */
const GZIP_MIN = 1400;

/**
 * The form to serve for an Accept header: clauses by q, then the more specific first; the first clause that
 * matches a form wins. No header means anything.
 */
export function pickForm(accept: string | undefined): 'json' | 'proto' | undefined {
  const clauses = parseMediaTypes(accept || '*/*').map((m, i) => {
    const [type = '', sub = ''] = m.type === '*' ? ['*', '*'] : m.type.split('/');
    const q = m.params.q === undefined ? 1 : Number(m.params.q);
    return { type, sub, q: Number.isFinite(q) ? q : 0, i };
  }).filter((c) => c.q > 0);
  clauses.sort((a, b) => b.q - a.q || Number(a.type === '*') - Number(b.type === '*') || Number(a.sub === '*') - Number(b.sub === '*') || a.i - b.i);
  for (const c of clauses) {
    const f = FORMS.find((x) => (c.type === '*' || c.type === x.type) && (c.sub === '*' || c.sub === x.sub));
    if (f) return f.form;
  }
  return undefined;
}

/** Whether If-None-Match names this ETag (weak comparison, `*` matches anything). */
function noneMatch(header: string, etag: string): boolean {
  const strip = (t: string): string => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

function notModified(req: IncomingMessage, served: ServedSwagger): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return noneMatch(inm, served.etag);
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && served.lastModified.getTime() <= since;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  if (!ae) return false;
  return ae.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return coding?.trim().toLowerCase() === 'gzip' && (!q || Number(q.slice(2)) > 0);
  });
}

const gzipped = new WeakMap<Buffer, Buffer>();

function gzipOf(body: Buffer): Buffer {
  let z = gzipped.get(body);
  if (!z) {
    z = gzipSync(body);
    gzipped.set(body, z);
  }
  return z;
}

/** Answers GET or HEAD /openapi/v2 with the served document. */
export function serveOpenapiV2(req: IncomingMessage, res: ServerResponse, served: ServedSwagger): void {
  res.setHeader('Vary', 'Accept-Encoding, Accept');
  const form = pickForm(req.headers.accept);
  if (!form) {
    res.statusCode = 406;
    res.end();
    return;
  }
  res.setHeader('ETag', served.etag);
  res.setHeader('Last-Modified', served.lastModified.toUTCString());
  if (notModified(req, served)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const body = form === 'json' ? served.json : served.proto();
  res.setHeader('Content-Type', form === 'json' ? SWAGGER_JSON : SWAGGER_PROTO);
  res.statusCode = 200;
  if (body.length >= GZIP_MIN && acceptsGzip(req)) {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(served.gzipped?.[form] ?? gzipOf(body));
    return;
  }
  res.end(body);
}
