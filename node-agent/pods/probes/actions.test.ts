// The probe actions against real local servers (HTTP, TCP, gRPC health) and a fake runtime (exec): outcomes and the
// kubelet's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CriError, type CriClient } from '../../cri/client.js';
import { runExec, runGrpc, runHttpGet, runTcp, type ActionTarget } from './actions.js';

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('httpGet: 2xx passes, 5xx fails with the status, redirects on the same host are followed, elsewhere a warning; headers, named ports, refused connections, timeouts', async (t) => {
  let seen: IncomingHttpHeaders = {};
  const server = createServer((req, res) => {
    seen = req.headers;
    if (req.url === '/ok') res.end('fine');
    else if (req.url === '/fail') res.writeHead(503).end('down');
    else if (req.url === '/same') res.writeHead(302, { Location: '/ok' }).end();
    else if (req.url === '/away') res.writeHead(302, { Location: 'http://127.0.0.2:1/x' }).end('moved');
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 1500);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const target: ActionTarget = { cri: {} as CriClient, containerId: 'c', podIP: '127.0.0.1', ports: [{ name: 'http', containerPort: port }] };
  assert.deepEqual(await runHttpGet(target, { path: '/ok', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, 1000), { result: 'success', output: 'fine' });
  assert.equal(seen['user-agent'], 'kube-probe/1.32');
  assert.equal(seen['x-probe'], 'yes');
  await runHttpGet(target, { path: '/ok', port, httpHeaders: [{ name: 'User-Agent', value: 'mine' }] }, 1000);
  assert.equal(seen['user-agent'], 'mine');
  assert.deepEqual(await runHttpGet(target, { path: '/fail', port }, 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
  assert.deepEqual(await runHttpGet(target, { path: '/same', port }, 1000), { result: 'success', output: 'fine' });
  assert.deepEqual(await runHttpGet(target, { path: '/away', port }, 1000), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
  assert.deepEqual(await runHttpGet(target, { path: '/slow', port }, 200), { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  const closed = await closedPort();
  assert.deepEqual(await runHttpGet(target, { path: '/', port: closed }, 1000), { result: 'failure', output: `Get "http://127.0.0.1:${closed}/": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  assert.deepEqual(await runHttpGet(target, { port: 'nope' }, 1000), { result: 'failure', output: 'unable to find port "nope"' });
});

test('tcpSocket: a listening port passes, a closed one fails as Go words it', async (t) => {
  const s = createTcpServer((c) => c.end());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => s.close(r)));
  const target: ActionTarget = { cri: {} as CriClient, containerId: 'c', podIP: '127.0.0.1', ports: [] };
  assert.equal((await runTcp(target, { port: (s.address() as AddressInfo).port }, 1000)).result, 'success');
  const closed = await closedPort();
  assert.deepEqual(await runTcp(target, { port: closed }, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});

test('grpc: Health/Check SERVING passes, NOT_SERVING fails, no server fails to connect', async (t) => {
  const server = new grpc.Server();
  const statusOf: Record<string, number> = { '': 1, db: 2 };
  server.addService({
    Check: {
      path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false,
      requestDeserialize: (b: Buffer) => ({ service: b.length ? b.subarray(2).toString('utf8') : '' }),
      requestSerialize: (s: { service: string }) => Buffer.from(s.service),
      responseSerialize: (n: number) => Buffer.from([0x08, n]),
      responseDeserialize: (b: Buffer) => b[1] as number,
    },
  } as grpc.ServiceDefinition, { Check: (call: grpc.ServerUnaryCall<{ service: string }, number>, cb: grpc.sendUnaryData<number>) => cb(null,
    statusOf[call.request.service] ?? 3) });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.after(() => server.forceShutdown());
  const target: ActionTarget = { cri: {} as CriClient, containerId: 'c', podIP: '127.0.0.1', ports: [] };
  assert.deepEqual(await runGrpc(target, { port }, 2000), { result: 'success', output: '' });
  assert.deepEqual(await runGrpc(target, { port, service: 'db' }, 2000), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.deepEqual(await runGrpc(target, { port, service: 'other' }, 2000), { result: 'failure', output: 'service unhealthy (responded with "SERVICE_UNKNOWN")' });
  const closed = await closedPort();
  const r = await runGrpc(target, { port: closed }, 300);
  assert.equal(r.result, 'failure');
  assert.match(r.output, new RegExp(`^timeout: failed to connect service "127\\.0\\.0\\.1:${closed}" within 0\\.3s`));
});

test('exec: exit 0 passes, another code fails with the output, a run past its timeout fails as timed out, a runtime error is unknown', async () => {
  const calls: Array<[string[], number]> = [];
  const cri = {
    execSync: async (_id: string, cmd: string[], timeout: number) => {
      calls.push([cmd, timeout]);
      if (cmd[0] === 'slow') throw new CriError('ExecSync', 4, 'failed to exec in container: timeout 1s exceeded: context deadline exceeded');
      if (cmd[0] === 'gone') throw new CriError('ExecSync', 5, 'container not found');
      return { stdout: Buffer.from(cmd[0] === 'ok' ? 'fine\n' : 'no file\n'), stderr: Buffer.from(cmd[0] === 'ok' ? '' : 'err\n'), exitCode: cmd[0] === 'ok' ? 0 : 1 };
    },
  } as unknown as CriClient;
  const target: ActionTarget = { cri, containerId: 'c', ports: [] };
  assert.deepEqual(await runExec(target, ['ok'], 1), { result: 'success', output: 'fine\n' });
  assert.deepEqual(await runExec(target, ['cat', '/ready'], 3), { result: 'failure', output: 'no file\nerr\n' });
  assert.deepEqual(calls[1], [['cat', '/ready'], 3], 'the probe timeout is the runtime timeout');
  assert.deepEqual(await runExec(target, ['slow', 'x'], 1), { result: 'failure', output: 'command "slow x" timed out' });
  assert.equal((await runExec(target, ['gone'], 1)).result, 'unknown');
});
