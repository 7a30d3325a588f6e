// Forwarding to the upstream servers the caller names (the node's own resolvers): names outside the cluster zone,
// reverse names that are not ours, and the targets of ExternalName CNAMEs. UDP queries go out over one shared socket
// per family with a fresh random ID each (the pending table maps answers back); TCP queries over a connection each.
// An upstream that does not answer in time is skipped for the next one; when all fail the caller answers SERVFAIL.
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import { canonicalIP, ipFamily } from '../ip.js';

export interface Upstream {
  address: string;
  port: number;
}

interface Pending {
  resolve: (b: Buffer | undefined) => void;
  upstream: Upstream;
  timer: NodeJS.Timeout;
}

/** Largest DNS message over TCP (a 16-bit length prefix). */
const MAX_TCP_MESSAGE = 65535;

export class Forwarder {
  private sockets = new Map<4 | 6, Socket>();
  private pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly upstreams: Upstream[], private readonly timeoutMs = 2000) {
    for (const u of upstreams) if (!ipFamily(u.address) || !(u.port > 0 && u.port < 65536)) throw new Error(`invalid upstream DNS server ${u.address}:${u.port}`);
  }

  /** Sends `query` (a whole DNS message) upstream; resolves with the answer carrying the query's own ID, or undefined. */
  async query(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (query.length < 12) return undefined;
    const id = query.readUInt16BE(0);
    for (const u of this.upstreams) {
      if (this.closed) return undefined;
      const answer = transport === 'udp' ? await this.udp(u, query) : await this.tcp(u, query);
      if (answer && answer.length >= 12) {
        const out = Buffer.from(answer);
        out.writeUInt16BE(id, 0);
        return out;
      }
    }
    return undefined;
  }

  private socket(family: 4 | 6): Socket {
    let s = this.sockets.get(family);
    if (s) return s;
    s = createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('error', () => { /* per-query timeouts cover a broken socket */ });
    s.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const p = this.pending.get(msg.readUInt16BE(0));
      // Only the server we asked may answer (a spoofed reply from elsewhere is ignored).
      if (!p || canonicalIP(rinfo.address) !== canonicalIP(p.upstream.address) || rinfo.port !== p.upstream.port) return;
      this.pending.delete(msg.readUInt16BE(0));
      clearTimeout(p.timer);
      p.resolve(msg);
    });
    s.unref();
    this.sockets.set(family, s);
    return s;
  }

  private udp(u: Upstream, query: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      if (this.pending.size >= 60_000) return resolve(undefined);
      let id = randomInt(0, 65536);
      while (this.pending.has(id)) id = randomInt(0, 65536);
      const out = Buffer.from(query);
      out.writeUInt16BE(id, 0);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
      this.pending.set(id, { resolve, upstream: u, timer });
      this.socket(ipFamily(u.address) as 4 | 6).send(out, u.port, u.address, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(undefined);
      });
    });
  }

  private tcp(u: Upstream, query: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let buf = Buffer.alloc(0);
      const c = connect({ host: u.address, port: u.port });
      const done = (b: Buffer | undefined) => {
        clearTimeout(timer);
        c.destroy();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      c.on('connect', () => c.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length > MAX_TCP_MESSAGE + 2) return done(undefined);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      });
      c.on('error', () => done(undefined));
      c.on('end', () => done(undefined));
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.pending.clear();
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}
