// A minimal DNS client for tests and benchmarks, built on dns-packet: one question over UDP or TCP, the decoded
// response back (dig from code).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsQuery {
  host: string;
  port: number;
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  /** Advertise this EDNS UDP size (an OPT record); absent: no EDNS. */
  ednsSize?: number;
  timeoutMs?: number;
}

export type DnsResponse = dnsPacket.DecodedPacket & { rcode: string };

export function encodeQuery(name: string, type: string, ednsSize?: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: Math.floor(Math.random() * 65535),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType }],
    additionals: ednsSize ? [{ type: 'OPT', name: '.', udpPayloadSize: ednsSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

/** Sends raw bytes and resolves with the raw answer (rejects on timeout or a socket error). */
export function exchange(host: string, port: number, msg: Buffer, transport: 'udp' | 'tcp', timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no DNS answer from ${host}:${port} over ${transport} in ${timeoutMs} ms`)); }, timeoutMs);
    let cleanup = () => {};
    if (transport === 'udp') {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      cleanup = () => { clearTimeout(timer); s.close(); };
      s.on('message', (m) => { cleanup(); resolve(m); });
      s.on('error', (e) => { cleanup(); reject(e); });
      s.connect(port, host, () => s.send(msg));
    } else {
      const c = connect({ host, port });
      cleanup = () => { clearTimeout(timer); c.destroy(); };
      let buf = Buffer.alloc(0);
      c.on('connect', () => c.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg])));
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { cleanup(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))); }
      });
      c.on('error', (e) => { cleanup(); reject(e); });
    }
  });
}

export async function dnsQuery(q: DnsQuery): Promise<DnsResponse> {
  const raw = await exchange(q.host, q.port, encodeQuery(q.name, q.type, q.ednsSize), q.transport, q.timeoutMs);
  return dnsPacket.decode(raw) as DnsResponse;
}

/** Answers as "TYPE DATA" lines, sorted: easy to compare. */
export function answerLines(r: Pick<dnsPacket.Packet, 'answers'>, section: dnsPacket.Answer[] | undefined = r.answers): string[] {
  return (section ?? []).map((a) => {
    const d = (a as { data?: unknown }).data;
    if (a.type === 'SRV') {
      const s = d as dnsPacket.SrvData;
      return `${a.name} SRV ${s.priority ?? 0} ${s.weight ?? 0} ${s.port} ${s.target}`;
    }
    if (a.type === 'SOA') {
      const s = d as dnsPacket.SoaData;
      return `${a.name} SOA ${s.mname} ${s.rname}`;
    }
    if (a.type === 'TXT') return `${a.name} TXT ${(d as Buffer[]).map((b) => b.toString()).join(' ')}`;
    return `${a.name} ${a.type} ${typeof d === 'string' ? d : JSON.stringify(d)}`;
  }).sort();
}
