// The test client, run inside a namespace: N TCP connections or UDP exchanges (one after another), or DNS queries,
// each reported as what was answered or the error code; prints one JSON array and exits.
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { answerLines, dnsQuery } from './dns-client.js';

export interface ProbeRequest {
  mode: 'tcp' | 'udp' | 'dns-udp' | 'dns-tcp';
  host: string;
  port: number;
  /** How many requests (default 1). */
  count?: number;
  /** Per-request timeout (default 2000 ms). */
  timeoutMs?: number;
  /** UDP: send every datagram from this one source port (default: one socket for all, an ephemeral port). */
  sourcePort?: number;
  /** DNS: the question. */
  name?: string;
  type?: string;
}

export interface ProbeResult {
  ok: boolean;
  /** The answer (the echo server's "NAME PEER" line), or the DNS answers as "TYPE DATA" strings. */
  body?: string;
  /** DNS response code, for DNS probes. */
  rcode?: string;
  /** Error code (ECONNREFUSED, ETIMEDOUT, ...) when not ok. */
  error?: string;
  ms: number;
}

function tcpOnce(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host, port });
    const done = (r: Omit<ProbeResult, 'ms'>) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => done({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => done({ ok: true, body: Buffer.concat(chunks).toString().trim() }));
    s.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
  });
}

async function udpAll(req: ProbeRequest, count: number, timeoutMs: number): Promise<ProbeResult[]> {
  const s = createSocket(req.host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => s.bind(req.sourcePort ?? 0, () => r()));
  // Connected, so that an ICMP port unreachable comes back as ECONNREFUSED.
  await new Promise<void>((r) => s.connect(req.port, req.host, () => r()));
  const out: ProbeResult[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    out.push(await new Promise<ProbeResult>((resolve) => {
      const done = (r: Omit<ProbeResult, 'ms'>) => {
        clearTimeout(timer);
        s.off('message', onMsg);
        s.off('error', onErr);
        resolve({ ...r, ms: performance.now() - t0 });
      };
      const onMsg = (m: Buffer) => done({ ok: true, body: m.toString().trim() });
      const onErr = (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message });
      const timer = setTimeout(() => done({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
      s.on('message', onMsg);
      s.on('error', onErr);
      s.send(`ping ${i}`);
    }));
  }
  s.close();
  return out;
}

async function dnsOnce(req: ProbeRequest, timeoutMs: number): Promise<ProbeResult> {
  const t0 = performance.now();
  try {
    const r = await dnsQuery({ host: req.host, port: req.port, name: req.name ?? '', type: req.type ?? 'A', transport: req.mode === 'dns-udp' ? 'udp' : 'tcp', timeoutMs });
    return { ok: true, rcode: r.rcode, body: answerLines(r).join('\n'), ms: performance.now() - t0 };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: err.code ?? (/no DNS answer/.test(err.message) ? 'ETIMEDOUT' : err.message), ms: performance.now() - t0 };
  }
}

async function main(req: ProbeRequest): Promise<void> {
  const count = req.count ?? 1;
  const timeoutMs = req.timeoutMs ?? 2000;
  const out: ProbeResult[] = [];
  if (req.mode === 'udp') out.push(...await udpAll(req, count, timeoutMs));
  else for (let i = 0; i < count; i++) out.push(req.mode === 'tcp' ? await tcpOnce(req.host, req.port, timeoutMs) : await dnsOnce(req, timeoutMs));
  process.stdout.write(JSON.stringify(out));
}

main(JSON.parse(process.argv[2] ?? '{}') as ProbeRequest).catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
