// The node-local cluster DNS server (as NodeLocal DNSCache runs on every node, but answering the cluster zone from
// the node agent's own model instead of asking CoreDNS): UDP and TCP on the addresses the caller gives, the cluster
// zone answered from memory (records.ts, answer.ts), everything else forwarded upstream (upstream.ts). Over UDP an
// answer larger than the client can take (512 bytes, or its EDNS size) is sent truncated, so the client asks again
// over TCP. No input can crash it: a message that does not parse gets FORMERR or nothing.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { logger, type Logger } from '../../../lib/util/log.js';
import { ipFamily } from '../ip.js';
import type { NetworkModel } from '../model.js';
import { resolveQuestion, type AnswerOptions, type QuestionType, type Rcode, type ZoneAnswer } from './answer.js';
import { buildZone, type ClusterZone } from './records.js';
import { Forwarder, type Upstream } from './upstream.js';

export interface DnsListenAddress {
  address: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port: number;
}

export interface DnsServerOptions {
  listen: DnsListenAddress[];
  upstreams: Upstream[];
  /** The cluster domain (default `cluster.local`). */
  domain?: string;
  ttl?: number;
  podRecords?: AnswerOptions['podRecords'];
  /** Per upstream, how long to wait before trying the next (default 2000 ms). */
  upstreamTimeoutMs?: number;
  log?: Logger;
}

/** What the DNS answers from. */
export type DnsModel = Pick<NetworkModel, 'services' | 'endpoints' | 'pods'>;

const RCODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
/** Our EDNS UDP size: the DNS flag day's 1232 bytes, which fits every path's MTU without fragments. */
const EDNS_UDP_SIZE = 1232;
/** A TCP client silent this long is disconnected. */
const TCP_IDLE_MS = 10_000;
/** Encoded zone answers kept for reuse (cleared whenever the model changes). */
const ANSWER_CACHE_ENTRIES = 20_000;

export class DnsServer {
  private zone: ClusterZone;
  private readonly answerOptions: AnswerOptions;
  private readonly forwarder: Forwarder;
  private readonly udp: Socket[] = [];
  private readonly tcp: Server[] = [];
  private readonly connections = new Set<TcpSocket>();
  private readonly log: Logger;
  /**
   * Encoded answers from the zone, keyed by the transport and the query's bytes after its ID: the same question with
   * the same flags and EDNS gets the same answer until the model changes, so only the ID needs writing. Decoding and
   * encoding are most of a query's cost; answers from upstream are never kept.
   */
  private readonly answers = new Map<string, Buffer>();
  /** Where it listens, once started (ports resolved). */
  readonly bound: DnsListenAddress[] = [];

  private constructor(private readonly opts: DnsServerOptions) {
    this.zone = buildZone({ services: [], endpoints: [], pods: [] }, opts.domain);
    this.answerOptions = { ttl: opts.ttl ?? 5, podRecords: opts.podRecords ?? 'verified' };
    this.forwarder = new Forwarder(opts.upstreams, opts.upstreamTimeoutMs);
    this.log = opts.log ?? logger('dns');
  }

  /** Starts listening on every address (UDP and TCP); rejects, closing what it opened, when one cannot be bound. */
  static async start(opts: DnsServerOptions, model?: DnsModel): Promise<DnsServer> {
    const s = new DnsServer(opts);
    if (model) s.update(model);
    try {
      for (const l of opts.listen) s.bound.push(await s.listenOn(l));
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** Replaces what the cluster zone answers from; queries after this call see the new model. */
  update(model: DnsModel): void {
    this.zone = buildZone(model, this.opts.domain);
    this.answers.clear();
  }

  private async listenOn(l: DnsListenAddress): Promise<DnsListenAddress> {
    const family = ipFamily(l.address);
    if (!family) throw new Error(`invalid DNS listen address ${l.address}`);
    // With port 0, TCP picks a port and UDP must get the same one; another process may hold it for UDP, so retry.
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer((c) => this.serveTcp(c));
      const port = await new Promise<number>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(l.port, l.address, () => resolve((tcp.address() as { port: number }).port));
      });
      const udp = createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(port, l.address, () => resolve());
        });
      } catch (e) {
        udp.close();
        await new Promise<void>((r) => tcp.close(() => r()));
        if (l.port === 0 && attempt < 20) continue;
        throw e;
      }
      udp.on('error', (e) => this.log.warn('DNS UDP socket error', { error: e }));
      udp.on('message', (msg, rinfo) => {
        this.answer(msg, 'udp').then((out) => {
          if (out) udp.send(out, rinfo.port, rinfo.address, () => { /* a client gone: nothing to do */ });
        }, (e: Error) => this.log.error('DNS query failed', { error: e }));
      });
      tcp.on('error', (e) => this.log.warn('DNS TCP server error', { error: e }));
      this.udp.push(udp);
      this.tcp.push(tcp);
      return { address: l.address, port };
    }
  }

  private serveTcp(c: TcpSocket): void {
    this.connections.add(c);
    c.setTimeout(TCP_IDLE_MS, () => c.destroy());
    c.on('close', () => this.connections.delete(c));
    c.on('error', () => c.destroy());
    let buf: Buffer = Buffer.alloc(0);
    // Answers go back in the order the questions came (one at a time per connection).
    let chain: Promise<void> = Promise.resolve();
    c.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        chain = chain.then(async () => {
          const out = await this.answer(Buffer.from(msg), 'tcp');
          if (out && !c.destroyed) c.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
        }).catch((e: Error) => this.log.error('DNS query failed', { error: e }));
      }
    });
  }

  /** The response to one message, or undefined when there is nothing to say (not a query, unparseable header). */
  async answer(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const key = msg.length >= 12 ? transport + msg.toString('latin1', 2) : '';
    const cached = key ? this.answers.get(key) : undefined;
    if (cached) {
      const out = Buffer.from(cached);
      msg.copy(out, 0, 0, 2);
      return out;
    }
    let q: dnsPacket.DecodedPacket & { opcode?: string };
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return msg.length >= 12 && ((msg[2] as number) & 0x80) === 0 ? headerOnly(msg, 'FORMERR') : undefined;
    }
    if (q.type !== 'query') return undefined;
    if (q.opcode !== 'QUERY') return headerOnly(msg, 'NOTIMP');
    const question = q.questions?.[0];
    if (!question || (q.questions?.length ?? 0) > 1) return headerOnly(msg, 'FORMERR');
    const opt = q.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const limit = transport === 'tcp' ? 65535 : opt ? Math.min(Math.max(opt.udpPayloadSize, 512), EDNS_UDP_SIZE) : 512;

    const r = resolveQuestion(this.zone, { name: question.name, type: question.type as QuestionType }, this.answerOptions);
    if (r.kind === 'forward') {
      return (await this.forwarder.query(msg, transport)) ?? this.respond(q, { rcode: 'SERVFAIL', answers: [], authorities: [], additionals: [] }, false, opt, limit);
    }
    if (r.answer.chase) return this.respond(q, await this.chase(r.answer, transport), true, opt, limit);
    const out = this.respond(q, r.answer, true, opt, limit);
    if (this.answers.size >= ANSWER_CACHE_ENTRIES) this.answers.clear();
    this.answers.set(key, out);
    return out;
  }

  /** Resolves an ExternalName's target upstream and appends it to the CNAME, as CoreDNS does. */
  private async chase(a: ZoneAnswer, transport: 'udp' | 'tcp'): Promise<ZoneAnswer> {
    const chase = a.chase as { name: string; type: QuestionType };
    const query = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: chase.name, type: chase.type as dnsPacket.RecordType }] });
    const raw = await this.forwarder.query(query, transport);
    if (!raw) return { ...a, chase: undefined };
    try {
      const up = dnsPacket.decode(raw) as dnsPacket.DecodedPacket & { rcode?: string };
      return { rcode: (up.rcode as Rcode | undefined) ?? 'NOERROR', answers: [...a.answers, ...(up.answers ?? [])], authorities: up.authorities ?? [], additionals: [] };
    } catch {
      return { ...a, chase: undefined };
    }
  }

  private respond(q: dnsPacket.DecodedPacket, a: ZoneAnswer, authoritative: boolean, opt: dnsPacket.OptAnswer | undefined, limit: number): Buffer {
    const flags = (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | dnsPacket.RECURSION_AVAILABLE | (q.flag_rd ? dnsPacket.RECURSION_DESIRED : 0)
      | RCODES[a.rcode];
    const edns: dnsPacket.Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
    const packet: dnsPacket.Packet = { type: 'response', id: q.id, flags, questions: q.questions, answers: a.answers, authorities: a.authorities, additionals: [...a.additionals, ...edns] };
    const out = dnsPacket.encode(packet);
    if (out.length <= limit) return out;
    // Too big for this transport: the header and question only, with TC set, so the client retries over TCP.
    return dnsPacket.encode({ type: 'response', id: q.id, flags: flags | dnsPacket.TRUNCATED_RESPONSE, questions: q.questions, answers: [], authorities: [], additionals: edns });
  }

  async close(): Promise<void> {
    this.forwarder.close();
    for (const c of this.connections) c.destroy();
    await Promise.all([
      ...this.udp.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))),
      ...this.tcp.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))),
    ]);
  }
}

/** A response echoing the query's header (ID, RD) and question bytes untouched, with this rcode. */
function headerOnly(msg: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(12);
  msg.copy(out, 0, 0, 12);
  const rd = (msg[2] as number) & 0x01;
  const opcode = (msg[2] as number) & 0x78;
  out[2] = 0x80 | opcode | rd;
  out[3] = 0x80 | RCODES[rcode];
  out.writeUInt16BE(0, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}
