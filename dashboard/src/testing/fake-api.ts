// A scripted API for the dashboard's unit tests: each request is answered by the first handler that takes it, and
// every request is recorded. Watch answers are streams the test feeds line by line.
import { ApiClient, type Fetch } from '../api/client.js';
import { Session } from '../api/session.js';

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
}

export type Handler = (r: Recorded) => Response | Promise<Response> | undefined;

export const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export const status = (code: number, message: string, reason = ''): Response => json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message, reason });

/** A response whose body the test writes to: push(line) adds a line, end() finishes it. */
export function stream(): { response: Response; push(line: unknown): void; raw(text: string): void; end(): void } {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (ctrl = c) });
  const enc = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }),
    push: (line) => ctrl.enqueue(enc.encode(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`)),
    raw: (text) => ctrl.enqueue(enc.encode(text)),
    end: () => ctrl.close(),
  };
}

export class FakeApi {
  readonly requests: Recorded[] = [];
  readonly handlers: Handler[] = [];
  readonly session: Session;
  readonly client: ApiClient;

  constructor(token?: string) {
    this.session = new Session();
    if (token) this.session.setToken(token);
    const f: Fetch = async (input, init) => {
      const r: Recorded = { method: init?.method ?? 'GET', url: new URL(input, 'http://api.test'), headers: new Headers(init?.headers), body: init?.body as string | undefined };
      this.requests.push(r);
      for (const h of this.handlers) {
        const res = await h(r);
        if (res) return res;
      }
      return status(404, 'the server could not find the requested resource', 'NotFound');
    };
    this.client = new ApiClient(this.session, f);
  }

  on(h: Handler): this {
    this.handlers.push(h);
    return this;
  }
}

/** A scheduler that runs batches at once and sleeps not at all (tests wait on conditions instead). */
export const immediate = {
  schedule: (cb: () => void) => queueMicrotask(cb),
  sleep: (_ms: number, signal: AbortSignal) => new Promise<void>((r) => (signal.aborted ? r() : setTimeout(r, 1))),
};

export async function until(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
