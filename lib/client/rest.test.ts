import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Client } from './rest.js';

// the User-Agent's first word is the field manager the API server records for a client's writes
test('a client sends its User-Agent: the configured one, else client-go\'s shape with this program\'s name', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers['user-agent']));
    res.setHeader('Content-Type', 'application/json');
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const base = { server: url, namespace: 'default', sources: [], context: 'test' };
    await new Client({ ...base, userAgent: 'kube-scheduler/v1.32.0-flotilla (linux/amd64)' }).request({ method: 'GET', path: '/version' });
    await new Client(base).request({ method: 'GET', path: '/version' });
  } finally {
    server.close();
  }
  assert.equal(seen[0], 'kube-scheduler/v1.32.0-flotilla (linux/amd64)');
  assert.match(seen[1] as string, /^[\w.-]+\/v\d+\.\d+\.\d+ \(\w+\/\w+\)$/);
  assert.doesNotMatch(seen[1] as string, /\.js\//);
});
