// The README's example controller, run as its own process against the real API server: it must converge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, TestCluster, waitFor } from './harness.js';

let c: TestCluster;
let proc: ChildProcess | undefined;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  proc?.kill('SIGKILL');
  await c?.stop();
});

test('the example checksum controller stamps ConfigMaps and follows their changes', async () => {
  proc = spawn(process.execPath, [join(ROOT, 'dist/examples/checksum-controller.js')], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig, FLOTILLA_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { a: '1' } });
  const first = await waitFor('the checksum annotation', async () => (await c.request('GET', '/api/v1/namespaces/default/configmaps/watched')).body.metadata.annotations?.['example.com/checksum'] as string | undefined);
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/watched', { data: { a: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
  const second = await waitFor('a new checksum', async () => {
    const sum = (await c.request('GET', '/api/v1/namespaces/default/configmaps/watched')).body.metadata.annotations?.['example.com/checksum'] as string | undefined;
    return sum && sum !== first ? sum : undefined;
  });
  assert.match(second, /^[0-9a-f]{16}$/);
});
