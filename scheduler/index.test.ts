import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../lib/api/kinds.js';
import { eventually, FakeApiServer } from '../lib/client/fake.js';
import { SharedInformerFactory } from '../lib/client/index.js';
import { Scheduler } from './index.js';
import { node, pod } from './testutil.js';

const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;

test('a scheduler handed informers that are already running sees the nodes and pods they hold (no replay of its own)', async () => {
  const api = new FakeApiServer();
  const client = api.client();
  api.seed(NODE, node('n1'));
  api.seed(POD, pod('waiting'));
  const informers = new SharedInformerFactory(client);
  // another component of the process started the shared informers first: their initial adds are long delivered
  informers.informerFor(NODE);
  informers.informerFor(POD);
  await informers.start();
  const abort = new AbortController();
  const running = new Scheduler(client, { informers }).run(abort.signal);
  try {
    await eventually('the pending pod bound', () => api.get(POD, 'waiting', 'default')?.spec?.nodeName);
    assert.equal(api.get(POD, 'waiting', 'default')?.spec?.nodeName, 'n1');
  } finally {
    abort.abort();
    await running;
    informers.stop();
  }
});
