// Runs the cluster DNS server inside a namespace for kernel tests (the node agent's process would, on a node):
// argv is { options, model }; prints "ready" once listening, exits when its stdin closes.
import { DnsServer, type DnsModel, type DnsServerOptions } from '../dns/server.js';

const arg = JSON.parse(process.argv[2] ?? '{}') as { options: DnsServerOptions; model: DnsModel };
DnsServer.start(arg.options, arg.model).then(() => {
  process.stdout.write('ready\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}, (e: Error) => {
  process.stdout.write(`error ${e.message}\n`);
  process.exit(1);
});
