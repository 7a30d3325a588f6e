// The four probe actions, run from the node agent (exec inside the container through the CRI), with the kubelet's
// outcomes and messages: exec (exit code 0 succeeds; a run past timeoutSeconds fails as "timed out"), httpGet
// (2xx/3xx succeed; a redirect to another host is a warning; `kube-probe/1.32` as User-Agent), tcpSocket (a
// connection opens) and grpc (grpc.health.v1.Health/Check answers SERVING). Errors of the runtime itself (container
// gone) are `unknown`: they change no result.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CriError, CriStatus, type CriClient } from '../../cri/client.js';
import type { ContainerPort, GrpcAction, HttpGetAction, IntOrString, TcpSocketAction } from '../spec.js';

export type ProbeResult = 'success' | 'failure' | 'warning' | 'unknown';

export interface ActionOutcome {
  result: ProbeResult;
  output: string;
}

/** Where a probe or hook runs: the container (exec) and the pod's IP and ports (network actions). */
export interface ActionTarget {
  cri: CriClient;
  containerId: string;
  podIP?: string;
  ports: ContainerPort[];
}

export const USER_AGENT = 'kube-probe/1.32';
/** At most this much of a probe's output is kept (the kubelet's 10 KiB). */
const MAX_OUTPUT = 10 * 1024;

const clip = (b: Buffer): string => b.subarray(0, MAX_OUTPUT).toString('utf8');

/** A port by number or by the name of one of the container's ports. */
export function resolvePort(port: IntOrString, ports: ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

/** True when a CRI error means the ExecSync ran past its timeout. */
export function isExecTimeout(e: unknown): boolean {
  return e instanceof CriError && (e.code === CriStatus.DEADLINE_EXCEEDED || /timeout .* exceeded/.test(e.details));
}

export async function runExec(t: ActionTarget, command: string[], timeoutSeconds: number): Promise<ActionOutcome> {
  try {
    const r = await t.cri.execSync(t.containerId, command, timeoutSeconds);
    const output = clip(Buffer.concat([r.stdout, r.stderr]));
    return { result: r.exitCode === 0 ? 'success' : 'failure', output };
  } catch (e) {
    if (isExecTimeout(e)) return { result: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` };
    return { result: 'unknown', output: e instanceof CriError ? e.details : (e as Error).message };
  }
}

/** A Node network error as Go's net package words it (what kubelet messages carry). */
export function goDialError(e: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    case 'ETIMEDOUT': return `dial tcp ${addr}: i/o timeout`;
    default: return e.code ? `dial tcp ${addr}: ${e.code}` : e.message;
  }
}

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

function get(url: URL, headers: Record<string, string>, deadline: number): Promise<HttpAnswer> {
  const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(1, deadline - Date.now()));
    const done = (fn: () => void) => {
      clearTimeout(timer);
      fn();
    };
    const req = doRequest(url, { method: 'GET', headers, agent: false, signal: abort.signal, rejectUnauthorized: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_OUTPUT) chunks.push(c);
        size += c.length;
        if (size >= MAX_OUTPUT) res.destroy();
      });
      const finish = () => done(() => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: clip(Buffer.concat(chunks)) }));
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (e: NodeJS.ErrnoException) => done(() => reject(abort.signal.aborted ? Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' }) : e)));
    req.end();
  });
}

/** The URL and headers of an httpGet action (probe or hook); host defaults to the pod's IP. */
export function httpTarget(t: ActionTarget, a: HttpGetAction): { url: URL; headers: Record<string, string> } | { error: string } {
  const port = resolvePort(a.port, t.ports);
  if (port === undefined) return { error: `unable to find port "${a.port}"` };
  const host = a.host || t.podIP;
  if (!host) return { error: 'the pod has no IP yet' };
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  let path = a.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*', Connection: 'close' };
  for (const h of a.httpHeaders ?? []) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === h.name.toLowerCase()) delete headers[k];
    headers[h.name] = h.value;
  }
  return { url, headers };
}

export async function runHttpGet(t: ActionTarget, a: HttpGetAction, timeoutMs: number): Promise<ActionOutcome> {
  const target = httpTarget(t, a);
  if ('error' in target) return { result: 'failure', output: target.error };
  const deadline = Date.now() + timeoutMs;
  let url = target.url;
  for (let hops = 0; ; hops++) {
    let answer: HttpAnswer;
    try {
      answer = await get(url, target.headers, deadline);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'PROBE_TIMEOUT' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : goDialError(err, url.hostname.replace(/^\[|\]$/g, ''), Number(url.port));
      return { result: 'failure', output: `Get ${JSON.stringify(url.toString())}: ${why}` };
    }
    if (answer.status >= 300 && answer.status < 400 && answer.location && hops < 10) {
      const next = new URL(answer.location, url);
      // the kubelet follows redirects on the same host only; one elsewhere ends the probe as a warning
      if (next.hostname === url.hostname) {
        url = next;
        continue;
      }
    }
    if (answer.status >= 200 && answer.status < 400) {
      return answer.status >= 300 ? { result: 'warning', output: `Probe terminated redirects, Response body: ${answer.body}` } : { result: 'success', output: answer.body };
    }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${answer.status}` };
  }
}

export function runTcp(t: ActionTarget, a: TcpSocketAction, timeoutMs: number): Promise<ActionOutcome> {
  const port = resolvePort(a.port, t.ports);
  const host = a.host || t.podIP;
  if (port === undefined) return Promise.resolve({ result: 'failure', output: `unable to find port "${a.port}"` });
  if (!host) return Promise.resolve({ result: 'failure', output: 'the pod has no IP yet' });
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ result: 'failure', output: goDialError({ code: 'ETIMEDOUT' } as NodeJS.ErrnoException, host, port) });
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ result: 'success', output: '' });
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'failure', output: goDialError(e, host, port) });
    });
  });
}

// grpc.health.v1.HealthCheckRequest { string service = 1; } and HealthCheckResponse { ServingStatus status = 1; }
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

function encodeRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  if (!s.length) return Buffer.alloc(0);
  const len: number[] = [];
  let n = s.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

function decodeStatus(b: Buffer): number {
  // field 1, varint: 0x08 then the value (one byte is enough for the four statuses)
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0x08) return b[i + 1] as number;
  return 0;
}

export function runGrpc(t: ActionTarget, a: GrpcAction, timeoutMs: number): Promise<ActionOutcome> {
  const host = t.podIP;
  if (!host) return Promise.resolve({ result: 'failure', output: 'the pod has no IP yet' });
  const target = `${host.includes(':') ? `[${host}]` : host}:${a.port}`;
  const seconds = `${timeoutMs / 1000}s`;
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), { 'grpc.enable_retries': 0, 'grpc.primary_user_agent': USER_AGENT });
  const deadline = Date.now() + timeoutMs;
  return new Promise<ActionOutcome>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({ result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(target)} within ${seconds}: ${err.message}` });
        return;
      }
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', (s: string) => encodeRequest(s), (b: Buffer) => decodeStatus(b), a.service ?? '', new grpc.Metadata(), { deadline }, (e, status) => {
        if (e) {
          if (e.code === grpc.status.UNIMPLEMENTED) resolve({ result: 'failure', output: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` });
          else if (e.code === grpc.status.DEADLINE_EXCEEDED) resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${seconds}` });
          else resolve({ result: 'failure', output: `rpc error: code = ${grpc.status[e.code]} desc = ${e.details}` });
          return;
        }
        const name = SERVING_STATUS[status ?? 0] ?? 'UNKNOWN';
        resolve(name === 'SERVING' ? { result: 'success', output: '' } : { result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(name)})` });
      });
    });
  }).finally(() => client.close());
}
