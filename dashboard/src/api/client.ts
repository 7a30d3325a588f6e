// Every call the page makes to the Kubernetes API goes through here: same origin, the user's bearer token in the
// Authorization header (and no ambient credential: `credentials: 'omit'` sends no cookie and no TLS client
// certificate), errors turned into ApiError with the server's Status message.
import type { Session } from './session.js';
import type { KubeObject, Status } from './types.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** How many times a GET is sent when the network fails it (fetch's TypeError). */
const READ_ATTEMPTS = 3;

export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason = '', readonly status?: Status) {
    super(message);
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  body?: unknown;
  /** Content-Type of the body: JSON unless a patch type or YAML is named. */
  contentType?: string;
  accept?: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

export class ApiClient {
  /** How many requests are in flight (the header shows a spinner). */
  inFlight = 0;

  constructor(readonly session: Session, private readonly fetchFn: Fetch = (i, init) => fetch(i, init), readonly base = '') {}

  url(path: string, query?: RequestOptions['query']): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return `${this.base}${path}${s ? (path.includes('?') ? '&' : '?') + s : ''}`;
  }

  headers(o: { accept?: string; contentType?: string } = {}): Headers {
    const h = new Headers();
    h.set('Accept', o.accept ?? 'application/json');
    if (o.contentType) h.set('Content-Type', o.contentType);
    const auth = this.session.authorization();
    if (auth) h.set('Authorization', auth);
    return h;
  }

  /** A raw response (for streams); throws ApiError on a non-2xx answer. A GET failing on the network is retried. */
  async fetch(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const contentType = o.body === undefined ? undefined : (o.contentType ?? 'application/json');
    this.inFlight++;
    let res: Response;
    try {
      // a read that failed on the network (a connection dropped, the machine's network changed under the browser)
      // is sent again a couple of times, as a user would reload; writes are not repeated
      for (let attempt = 1; ; attempt++) {
        try {
          res = await this.fetchFn(this.url(path, o.query), { method, headers: this.headers({ accept: o.accept, contentType }), body, signal: o.signal, credentials: 'omit',
            cache: 'no-store' });
          break;
        } catch (e) {
          if (method !== 'GET' || attempt >= READ_ATTEMPTS || o.signal?.aborted || !(e instanceof TypeError)) throw e;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    } finally {
      this.inFlight--;
    }
    if (!res.ok) throw await errorOf(res, this.session);
    return res;
  }

  async json<T = KubeObject>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, o);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = KubeObject>(path: string, o: RequestOptions = {}): Promise<T> {
    return this.json<T>('GET', path, o);
  }
}

/** The Status the server sent, or a message made from the HTTP status when the body isn't one. */
export async function errorOf(res: Response, session?: Session): Promise<ApiError> {
  if (res.status === 401) session?.markUnauthorized();
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  try {
    const s = JSON.parse(text) as Status;
    if (s && s.kind === 'Status') return new ApiError(s.code ?? res.status, s.message || res.statusText, s.reason ?? '', s);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, text.trim() || `${res.status} ${res.statusText}`);
}
