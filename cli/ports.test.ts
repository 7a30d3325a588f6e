import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { choosePorts, freePortOn, isFree, PortInUseError } from './ports.js';
import { dataDirOf } from './supervisor/procfs.js';

async function hold(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

test('a taken default moves to a free port with a note naming the holder; a free one stays', async () => {
  const { server, port } = await hold();
  try {
    const free = await freePortOn('127.0.0.1');
    const r = await choosePorts([
      { flag: 'port', what: 'the API server', host: '127.0.0.1', port, explicit: false },
      { flag: 'registry-port', what: 'the image registry', host: '127.0.0.1', port: free, explicit: false },
    ]);
    assert.notEqual(r.ports.port, port);
    assert.equal(await isFree('127.0.0.1', r.ports.port as number), true);
    assert.equal(r.ports['registry-port'], free);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0] as string, new RegExp(`^port ${port} for the API server is in use by pid ${process.pid}: .*; using ${r.ports.port} instead$`));
  } finally {
    server.close();
  }
});

test('a taken port given on the command line is refused, naming the port, the flag and the holder', async () => {
  const { server, port } = await hold();
  try {
    await assert.rejects(choosePorts([{ flag: 'port', what: 'the API server', host: '127.0.0.1', port, explicit: true }]), (e: Error) => {
      assert.ok(e instanceof PortInUseError);
      assert.match(e.message, new RegExp(`^port ${port} for the API server \\(--port\\) is in use by pid ${process.pid}: `));
      return true;
    });
  } finally {
    server.close();
  }
});

test('two claims never get the same port; 0 means any free port', async () => {
  const p = await freePortOn('127.0.0.1');
  const r = await choosePorts([
    { flag: 'a', what: 'a', host: '127.0.0.1', port: p, explicit: false },
    { flag: 'b', what: 'b', host: '127.0.0.1', port: p, explicit: false },
    { flag: 'c', what: 'c', host: '127.0.0.1', port: 0, explicit: true },
  ]);
  assert.equal(r.ports.a, p);
  assert.notEqual(r.ports.b, p);
  assert.equal(new Set(Object.values(r.ports)).size, 3);
  assert.match(r.notes[0] as string, /in use by another component of this cluster/);
  await assert.rejects(choosePorts([
    { flag: 'a', what: 'a', host: '127.0.0.1', port: p, explicit: true },
    { flag: 'b', what: 'b', host: '127.0.0.1', port: p, explicit: true },
  ]), /in use by another component of this cluster/);
});

test('the data dir of a process, from its command line', () => {
  assert.equal(dataDirOf(['/usr/bin/node', '/x/bin/flotilla.js', 'apiserver', '--data-dir', '/d1', '--port', '1']), '/d1');
  assert.equal(dataDirOf(['/usr/bin/node', '/x/bin/flotilla.js', 'scheduler', '--kubeconfig=/d2/kubeconfig']), '/d2');
  assert.equal(dataDirOf(['/usr/bin/node', '/x/bin/other.js', '--data-dir', '/d3']), undefined, 'not a flotilla process');
  assert.equal(dataDirOf(['sleep', '300']), undefined);
});
