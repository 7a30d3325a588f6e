// The audit log (`--audit-log-path`): one audit.k8s.io/v1 Event per line per stage of each request the policy
// selects. Metadata says who did what to which object and the answer's status; Request adds the request body;
// RequestResponse the response body too. Secrets and tokens never get past Metadata, whatever the policy says.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { UserInfo } from '../index.js';
import { LEVELS, evaluatePolicy, type AuditAttributes, type Level, type Policy, type Stage } from './policy.js';

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: Partial<UserInfo>;
  impersonatedUser?: UserInfo;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: { metadata: Record<string, never>; code: number; status?: string; message?: string; reason?: string; details?: unknown };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export interface AuditSink {
  write(ev: AuditEvent): void;
  close(): Promise<void>;
}

/** JSON lines appended to a file (mode 0600: the log names users and objects), or stdout for "-". */
export class FileSink implements AuditSink {
  private readonly out: WriteStream | NodeJS.WriteStream;
  constructor(path: string) {
    if (path === '-') this.out = process.stdout;
    else {
      mkdirSync(dirname(path), { recursive: true });
      const s = createWriteStream(path, { flags: 'a', mode: 0o600 });
      // a full disk must not take the API server down: the error is reported once and lines are dropped
      s.on('error', (e) => process.stderr.write(`${JSON.stringify({ level: 'error', component: 'audit', message: 'audit log write failed', error: e.message })}\n`));
      this.out = s;
    }
  }
  write(ev: AuditEvent): void {
    this.out.write(JSON.stringify(ev) + '\n');
  }
  close(): Promise<void> {
    if (this.out === process.stdout) return Promise.resolve();
    return new Promise((r) => (this.out as WriteStream).end(() => r()));
  }
}

/** An audit timestamp: RFC 3339 with microseconds, as Kubernetes' MicroTime. */
export function microTime(ms = performance.timeOrigin + performance.now()): string {
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  return new Date(whole).toISOString().replace(/\.(\d{3})Z$/, (_m, milli: string) => `.${milli}${String(micros).padStart(3, '0')}Z`);
}

/** Requests whose bodies carry credentials: logged at Metadata at most. */
export function sensitive(a: Pick<AuditAttributes, 'apiGroup' | 'resource' | 'subresource'>): boolean {
  if (a.apiGroup === '' && a.resource === 'secrets') return true;
  if (a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') return true;
  return a.apiGroup === 'authentication.k8s.io' && (a.resource === 'tokenreviews' || a.resource === 'tokenrequests');
}

const atLeast = (level: Level, than: Level) => LEVELS.indexOf(level) >= LEVELS.indexOf(than);

function sourceIPs(req: IncomingMessage): string[] {
  const ips = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const remote = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (remote && !ips.includes(remote)) ips.push(remote);
  return ips;
}

export class Auditor {
  constructor(private readonly policy: Policy, private readonly sink: AuditSink) {}

  /** The audit of one request, or undefined when the policy says None. */
  begin(req: IncomingMessage, auditID: string, a: AuditAttributes & { apiVersion: string }): RequestAudit | undefined {
    const cfg = evaluatePolicy(this.policy, a);
    if (cfg.level === 'None') return undefined;
    const level: Level = sensitive(a) && atLeast(cfg.level, 'Request') ? 'Metadata' : cfg.level;
    const ev: AuditEvent = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID, stage: 'RequestReceived', requestURI: req.url ?? '', verb: a.verb,
      user: a.user ? userJson(a.user) : {}, sourceIPs: sourceIPs(req), requestReceivedTimestamp: microTime(), stageTimestamp: '',
    };
    if (req.headers['user-agent']) ev.userAgent = req.headers['user-agent'];
    if (a.isResourceRequest) {
      const ref: ObjectReference = { resource: a.resource };
      if (a.namespace) ref.namespace = a.namespace;
      if (a.name) ref.name = a.name;
      if (a.apiGroup) ref.apiGroup = a.apiGroup;
      if (a.apiVersion) ref.apiVersion = a.apiVersion;
      if (a.subresource) ref.subresource = a.subresource;
      ev.objectRef = ref;
    }
    return new RequestAudit(ev, cfg.omitStages, this.sink);
  }

  /** A request whose credentials were refused: one ResponseStarted event, the user unknown (as Kubernetes logs it). */
  failedAuthentication(req: IncomingMessage, auditID: string, a: AuditAttributes & { apiVersion: string }, attempted: string[]): void {
    const r = this.begin(req, auditID, { ...a, user: undefined });
    if (!r) return;
    r.event.responseStatus = { metadata: {}, code: 401, message: attempted.length ? `Authentication failed, attempted: ${attempted.join(', ')}` : 'Authentication failed, no credentials provided' };
    r.emit('ResponseStarted');
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

function userJson(u: UserInfo): Partial<UserInfo> {
  const out: Partial<UserInfo> = { username: u.username };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/** Bodies larger than this are not copied into the log. */
const MAX_LOGGED_BODY = 1024 * 1024;

export class RequestAudit {
  private done = false;
  constructor(readonly event: AuditEvent, private readonly omit: Stage[], private readonly sink: AuditSink) {}

  get level(): Level {
    return this.event.level;
  }

  emit(stage: Stage): void {
    if (this.omit.includes(stage)) return;
    this.sink.write({ ...this.event, stage, stageTimestamp: microTime() });
  }

  impersonating(u: UserInfo): void {
    this.event.impersonatedUser = userJson(u) as UserInfo;
  }

  annotate(key: string, value: string): void {
    (this.event.annotations ??= {})[key] = value;
  }

  /** The request body, from Request level on: decoded as the handler decodes it; left out if it doesn't decode. */
  requestBody(decode: () => unknown): void {
    if (!atLeast(this.level, 'Request')) return;
    try {
      const v = decode();
      if (v !== undefined) this.event.requestObject = v;
    } catch {
      // a body the handler will refuse: the response status says why
    }
  }

  /**
   * Follows a response: for long-running requests (watches) ResponseStarted when the headers go out, and for all
   * ResponseComplete when it ends, with the status (and the body from RequestResponse level).
   */
  followResponse(res: ServerResponse, longRunning: boolean): void {
    const keepBody = atLeast(this.level, 'RequestResponse') && !longRunning;
    const chunks: Buffer[] = [];
    let size = 0;
    const capture = (chunk: unknown, encoding?: unknown) => {
      if (!chunk || typeof chunk === 'function' || (!keepBody && res.statusCode < 400) || size > MAX_LOGGED_BODY) return;
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      size += b.length;
      chunks.push(b);
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      this.started(res, longRunning);
      capture(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      this.started(res, longRunning);
      capture(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('close', () => this.complete(res.statusCode, size <= MAX_LOGGED_BODY ? Buffer.concat(chunks) : undefined, keepBody));
  }

  private startedOnce = false;
  private started(res: ServerResponse, longRunning: boolean): void {
    if (this.startedOnce) return;
    this.startedOnce = true;
    this.event.responseStatus = { metadata: {}, code: res.statusCode };
    if (longRunning) this.emit('ResponseStarted');
  }

  /** An upgraded connection: the status line of the first bytes written is the answer; closing completes it. */
  followSocket(socket: Duplex): void {
    const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!this.startedOnce) {
        this.startedOnce = true;
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.isBuffer(chunk) ? chunk.subarray(0, 16).toString('latin1') : String(chunk).slice(0, 16));
        this.event.responseStatus = { metadata: {}, code: m ? Number(m[1]) : 0 };
        this.emit('ResponseStarted');
        socket.write = write as typeof socket.write;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    socket.once('close', () => this.complete(this.event.responseStatus?.code ?? 0, undefined, false));
  }

  private complete(code: number, body: Buffer | undefined, keepBody: boolean): void {
    if (this.done) return;
    this.done = true;
    const status: NonNullable<AuditEvent['responseStatus']> = { metadata: {}, code };
    if (body?.length) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const s = parsed as { kind?: string; status?: string; message?: string; reason?: string; details?: unknown } | undefined;
      if (code >= 400 && s?.kind === 'Status') {
        if (s.status) status.status = s.status;
        if (s.message) status.message = s.message;
        if (s.reason) status.reason = s.reason;
        if (s.details) status.details = s.details;
      }
      if (keepBody && parsed !== undefined) this.event.responseObject = parsed;
    }
    this.event.responseStatus = status;
    this.emit('ResponseComplete');
  }
}
