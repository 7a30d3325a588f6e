// Runs the cluster DNS server in a process of its own, for kernel tests (inside a node namespace) and the DNS
// benchmark: argv is { options, model } as JSON, or @FILE holding it; prints "ready" once listening, exits when its
// stdin closes.
import { readFileSync } from 'node:fs';
import { DnsServer, type DnsModel, type DnsServerOptions } from '../dns/server.js';

const raw = process.argv[2] ?? '{}';
const arg = JSON.parse(raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw) as { options: DnsServerOptions; model: DnsModel };
DnsServer.start(arg.options, arg.model).then(() => {
  process.stdout.write('ready\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}, (e: Error) => {
  process.stdout.write(`error ${e.message}\n`);
  process.exit(1);
});
