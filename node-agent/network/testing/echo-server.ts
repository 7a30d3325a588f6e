// A test endpoint, run inside a pod namespace: every TCP connection and every UDP datagram is answered with
// "NAME PEER-ADDRESS", so a test sees which endpoint answered and whether the client's address was masqueraded.
// Prints "ready" once listening; exits when its stdin closes (the test, or the test process, went away).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

export interface EchoServerOptions {
  name: string;
  /** Listen address (default every address). */
  address?: string;
  tcp?: number[];
  udp?: number[];
}

async function main(opts: EchoServerOptions): Promise<void> {
  const host = opts.address ?? '0.0.0.0';
  const listening: Promise<void>[] = [];
  for (const port of opts.tcp ?? []) {
    const srv = createServer((sock) => {
      sock.on('error', () => { /* a client reset: nothing to do */ });
      sock.end(`${opts.name} ${sock.remoteAddress}\n`);
    });
    listening.push(new Promise((r) => srv.listen({ port, host, ipv6Only: host.includes(':') }, () => r())));
  }
  for (const port of opts.udp ?? []) {
    const s = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: host.includes(':') });
    s.on('message', (_m, rinfo) => s.send(`${opts.name} ${rinfo.address}`, rinfo.port, rinfo.address));
    listening.push(new Promise((r) => s.bind(port, host, () => r())));
  }
  await Promise.all(listening);
  process.stdout.write('ready\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

main(JSON.parse(process.argv[2] ?? '{}') as EchoServerOptions).catch((e: Error) => {
  process.stdout.write(`error ${e.message}\n`);
  process.exit(1);
});
