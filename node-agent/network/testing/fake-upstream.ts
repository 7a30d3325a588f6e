// A fake upstream DNS server for tests: UDP and TCP on one loopback port, answering from a fixed table and
// recording what it was asked. Tests forward to it instead of any real resolver.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import * as dnsPacket from 'dns-packet';

export class FakeUpstream {
  readonly asked: { name: string; type: string; transport: 'udp' | 'tcp' }[] = [];
  private constructor(readonly address: string, readonly port: number, private readonly udp: Socket, private readonly tcp: Server) {}

  /** `records`: "name TYPE" -> answers' data (A/AAAA/PTR/CNAME strings). Other names are NXDOMAIN. */
  static async start(records: Record<string, string[]>, address = '127.0.0.1'): Promise<FakeUpstream> {
    const answer = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer => {
      const q = dnsPacket.decode(msg);
      const question = q.questions?.[0] as dnsPacket.Question;
      box.value?.asked.push({ name: question.name, type: question.type, transport });
      const data = records[`${question.name.toLowerCase()} ${question.type}`];
      return dnsPacket.encode({
        type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE | (data ? 0 : 3), questions: q.questions,
        answers: (data ?? []).map((d) => ({ name: question.name, type: question.type as 'A', ttl: 300, data: d })),
      });
    };
    const box: { value?: FakeUpstream } = {};
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer((c) => {
        let buf = Buffer.alloc(0);
        c.on('error', () => c.destroy());
        c.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const out = answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
            c.end(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
          }
        });
      });
      const port = await new Promise<number>((r) => tcp.listen(0, address, () => r((tcp.address() as { port: number }).port)));
      const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      const ok = await new Promise<boolean>((r) => {
        udp.once('error', () => r(false));
        udp.bind(port, address, () => r(true));
      });
      if (!ok) {
        udp.close();
        tcp.close();
        if (attempt < 20) continue;
        throw new Error('no free port for the fake upstream');
      }
      udp.on('message', (m, rinfo) => udp.send(answer(m, 'udp'), rinfo.port, rinfo.address));
      box.value = new FakeUpstream(address, port, udp, tcp);
      return box.value;
    }
  }

  async close(): Promise<void> {
    await Promise.all([new Promise<void>((r) => this.udp.close(() => r())), new Promise<void>((r) => this.tcp.close(() => r()))]);
  }
}
