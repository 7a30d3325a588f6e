// Lifecycle hooks, private registries and ephemeral containers through syncPod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ClientObjects } from './objects.js';
import { POD, SECRET, podHarness } from './testing/harness.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerSecret = (name: string, host: string, user: string, pw: string) => ({
  metadata: { name, namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { [host]: { auth: b64(`${user}:${pw}`) } } })) },
});

test('postStart runs right after the start; a failing one kills the container (FailedPostStartHook) and shows PostStartHookError', async (t) => {
  const h = podHarness(t);
  h.rt.exec = (_c, cmd) => ({ stdout: Buffer.from('boom\n'), stderr: Buffer.alloc(0), exitCode: cmd.includes('fail') ? 1 : 0 });
  h.seed({ containers: [{ name: 'app', image: 'img/app:1', lifecycle: { postStart: { exec: { command: ['sh', '-c', 'fail'] } } } }] });
  await h.sync();
  assert.deepEqual(h.rt.execs, ['app: sh -c fail']);
  assert.equal(h.rt.named('app')!.state, 'CONTAINER_EXITED');
  const w = h.status().containerStatuses[0].state.waiting;
  assert.equal(w.reason, 'PostStartHookError');
  assert.match(w.message, /^Exec lifecycle hook \(\[sh -c fail\]\) for Container "app" in Pod "web_default\(.*\)" failed - error: command 'sh -c fail' exited with 1: boom\n, message: "boom\\n"$/);
  const events = await h.apiEvents();
  assert.ok(events.includes('FailedPostStartHook: PostStartHook failed'));
  assert.ok(events.includes('Killing: FailedPostStartHook'));
});

test('deletion runs preStop first, then stops the container with the grace period that is left', async (t) => {
  const h = podHarness(t);
  const order: string[] = [];
  h.rt.exec = async (_c, cmd) => {
    order.push(`exec ${cmd.join(' ')}`);
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 };
  };
  h.seed({ terminationGracePeriodSeconds: 20, containers: [{ name: 'app', image: 'img/app:1', lifecycle: { preStop: { exec: { command: ['/bin/drain'] } } } }] });
  await h.sync();
  await h.api.client().delete(POD, 'web', { namespace: 'default' });
  const c = h.rt.named('app')!;
  await h.sync();
  assert.deepEqual(h.rt.execs, ['app: /bin/drain']);
  assert.ok(c.stoppedWithGrace !== undefined && c.stoppedWithGrace <= 20 && c.stoppedWithGrace >= 19, `stopped with what is left (${c.stoppedWithGrace})`);
  const events = await h.apiEvents();
  assert.ok(events.includes('Killing: Stopping container app'));
  assert.equal(h.pod(), undefined);
});

test('a private image: ErrImagePull with the registry\'s 401 without credentials, pulled with imagePullSecrets, and with the ServiceAccount\'s', async (t) => {
  const h = podHarness(t);
  h.rt.requireAuth = { username: 'alice', password: 'pw' };
  h.seed({ containers: [{ name: 'app', image: '127.0.0.1:5999/private/app:v1' }] });
  await h.sync();
  const w = h.status().containerStatuses[0].state.waiting;
  assert.equal(w.reason, 'ErrImagePull');
  assert.match(w.message, /^Failed to pull image "127\.0\.0\.1:5999\/private\/app:v1": rpc error: code = Unknown desc = .*401 Unauthorized$/);

  const h2 = podHarness(t);
  h2.rt.requireAuth = { username: 'alice', password: 'pw' };
  h2.api.seed(SECRET, dockerSecret('wrong', '127.0.0.1:5999', 'alice', 'nope'));
  h2.api.seed(SECRET, dockerSecret('regcred', 'http://127.0.0.1:5999', 'alice', 'pw'));
  h2.seed({ imagePullSecrets: [{ name: 'wrong' }, { name: 'regcred' }], containers: [{ name: 'app', image: '127.0.0.1:5999/private/app:v1' }] });
  await h2.sync();
  assert.deepEqual(h2.rt.running(), ['app'], 'each matching credential is tried in turn');
  assert.deepEqual(h2.rt.pulls.map((p) => p.auth?.password), ['nope', 'pw']);

  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default' }, imagePullSecrets: [{ name: 'regcred' }] };
  const h3 = podHarness(t, { objects: (api) => {
    const base = new ClientObjects(api.client());
    return { configMap: (ns, n) => base.configMap(ns, n), secret: (ns, n) => base.secret(ns, n), serviceAccount: async (_ns, n) => (n === 'builder' ? sa : undefined) };
  } });
  h3.rt.requireAuth = { username: 'alice', password: 'pw' };
  h3.api.seed(SECRET, dockerSecret('regcred', '127.0.0.1:5999', 'alice', 'pw'));
  h3.seed({ serviceAccountName: 'builder', containers: [{ name: 'app', image: '127.0.0.1:5999/private/app:v1' }] });
  await h3.sync();
  assert.deepEqual(h3.rt.running(), ['app']);
});

test('the ServiceAccount lookup tolerates a server that does not serve ServiceAccounts (404)', async (t) => {
  const h = podHarness(t);
  assert.equal(await new ClientObjects(h.api.client()).serviceAccount('default', 'default'), undefined);
});

test('an ephemeral container is started once in the target container\'s PID namespace, never restarted, and reported in ephemeralContainerStatuses', async (t) => {
  const h = podHarness(t);
  h.seed({ containers: [{ name: 'app', image: 'img/app:1' }] });
  await h.sync();
  const target = h.rt.named('app')!;
  // what the pods/ephemeralcontainers subresource writes (someone else's): the spec gains an entry
  await h.api.client().patch(POD, 'web', { spec: { ephemeralContainers: [{ name: 'debugger', image: 'img/tools:1', targetContainerName: 'app', stdin: true, tty: true, terminationMessagePolicy: 'File' }] } }, 'merge', { namespace: 'default' });
  await h.sync();
  const dbg = h.rt.named('debugger')!;
  assert.equal(dbg.state, 'CONTAINER_RUNNING');
  assert.deepEqual(dbg.config.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'TARGET', ipc: 'POD', targetId: target.id });
  assert.equal(dbg.config.tty, true);
  assert.equal(h.status().ephemeralContainerStatuses[0].name, 'debugger');
  assert.ok(h.status().ephemeralContainerStatuses[0].state.running);
  h.rt.exit(dbg.id, 0);
  await h.sync();
  await h.sync();
  assert.equal(h.rt.calls.filter((c) => c.startsWith('CreateContainer debugger')).length, 1, 'never restarted');
  assert.equal(h.status().ephemeralContainerStatuses[0].state.terminated.exitCode, 0);
  assert.equal(h.status().phase, 'Running', 'ephemeral containers do not decide the phase');
});
