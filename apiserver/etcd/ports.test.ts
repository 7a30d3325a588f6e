import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { describeListener, freePort, isPortFree, listensOn } from './ports.js';

async function listen(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

test('a port we listen on is taken and ours; closed, it is free again', async () => {
  const { server, port } = await listen();
  assert.equal(await isPortFree(port), false);
  assert.equal(listensOn(process.pid, port), true);
  assert.match(describeListener(port), new RegExp(`^pid ${process.pid} `));
  server.close();
  await once(server, 'close');
  assert.equal(await isPortFree(port), true);
  assert.equal(listensOn(process.pid, port), false);
  assert.notEqual(await freePort([port]), port);
});

test("a port another process listens on is not ours, and the error names that process", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout, 'data');
    assert.equal(await isPortFree(port), false);
    assert.equal(listensOn(process.pid, port), false);
    assert.equal(listensOn(child.pid as number, port), true);
    assert.match(describeListener(port), new RegExp(`^pid ${child.pid} \\(.*node`));
  } finally {
    child.kill('SIGKILL');
  }
});
