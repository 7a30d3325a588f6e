// Exec streams: the client (kubectl through the API server) speaks the Kubernetes WebSocket exec protocol
// (v5.channel.k8s.io or v4.channel.k8s.io: binary messages whose first byte is the channel: 0 stdin, 1 stdout,
// 2 stderr, 3 error/exit status, 4 terminal resize; v5 adds 255 = close a channel). containerd's CRI streaming
// server speaks v4 over WebSocket too, so the agent relays messages between the two.
import WebSocket from 'ws';
import { logger } from '../../lib/util/log.js';

const log = logger('node-agent-exec');

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE_CHANNEL = 255;

export function bridgeExec(client: WebSocket, execUrl: string): void {
  const runtime = new WebSocket(execUrl.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
  const pending: Buffer[] = [];
  let open = false;
  runtime.on('open', () => {
    open = true;
    for (const m of pending.splice(0)) runtime.send(m);
  });
  runtime.on('message', (data: Buffer, isBinary: boolean) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  runtime.on('close', () => {
    if (client.readyState === WebSocket.OPEN) client.close(1000);
  });
  runtime.on('error', (e) => {
    log.warn('runtime exec stream failed', { error: e.message });
    if (client.readyState === WebSocket.OPEN) {
      const status = { metadata: {}, status: 'Failure', message: `error in the runtime's exec stream: ${e.message}`, reason: 'InternalError', code: 500 };
      client.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
      client.close(1000);
    }
  });
  client.on('message', (data: Buffer) => {
    // v4 has no way to say "stdin closed"; the process sees it when the session ends
    if (data[0] === CLOSE_CHANNEL) return;
    if (open) runtime.send(data);
    else pending.push(data);
  });
  client.on('close', () => runtime.close());
  client.on('error', () => runtime.terminate());
}
