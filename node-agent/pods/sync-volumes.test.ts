// Volumes, env and files through syncPod: a missing Secret holds the pod (FailedMount, ContainerCreating) until it
// appears; the CRI mounts; /etc/hosts; envFrom's skipped keys; the termination message in the status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { SECRET, CONFIGMAP, podHarness } from './testing/harness.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('a missing Secret: FailedMount and ContainerCreating, no sandbox; once it exists the pod starts with the volume mounted read-only', async (t) => {
  const h = podHarness(t);
  h.seed({
    hostAliases: [{ ip: '192.0.2.7', hostnames: ['db.local'] }],
    containers: [{ name: 'app', image: 'img/app:1', terminationMessagePath: '/dev/termination-log', volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }, { name: 'scratch', mountPath: '/scratch' }] }],
    volumes: [{ name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } }, { name: 'scratch', emptyDir: {} }],
  });
  const again = await h.sync();
  assert.ok(again !== undefined && again > 0, 'looks again later');
  assert.equal(h.rt.sandboxes.size, 0);
  assert.equal(h.status().phase, 'Pending');
  assert.equal(h.status().containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  assert.ok((await h.apiEvents()).includes('FailedMount: MountVolume.SetUp failed for volume "creds" : secret "db" not found'));
  h.api.seed(SECRET, { metadata: { name: 'db', namespace: 'default' }, data: { password: b64('s3cret') } });
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app']);
  const mounts = Object.fromEntries((h.rt.named('app')!.config.mounts ?? []).map((m) => [m.containerPath, m]));
  assert.equal(readFileSync(`${mounts['/etc/creds']!.hostPath}/password`, 'utf8'), 's3cret');
  assert.equal(mounts['/etc/creds']!.readonly, true);
  assert.equal(mounts['/scratch']!.readonly, false);
  const hosts = readFileSync(mounts['/etc/hosts']!.hostPath, 'utf8');
  assert.match(hosts, /^10\.88\.0\.\d+\tweb$/m, 'the pod IP with its hostname');
  assert.match(hosts, /^192\.0\.2\.7\tdb\.local$/m);
  assert.ok(mounts['/dev/termination-log']);
  const sandbox = [...h.rt.sandboxes.values()][0]!;
  assert.deepEqual(sandbox.config.dnsConfig, { servers: ['192.0.2.53'], searches: ['example.internal'], options: [] }, 'no cluster DNS yet: the node resolv.conf');
  assert.ok((await h.apiEvents()).some((e) => e.startsWith('MissingClusterDNS: pod: "web_default(')));
});

test('envFrom: keys that are no variable names are skipped with InvalidEnvironmentVariableNames; a missing Secret key waits in CreateContainerConfigError', async (t) => {
  const h = podHarness(t);
  h.api.seed(CONFIGMAP, { metadata: { name: 'cfg', namespace: 'default' }, data: { GOOD: '1', 'bad key': '2' } });
  h.seed({ containers: [{ name: 'app', image: 'img/app:1', envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'X_' }], env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'pw' } } }] }] });
  await h.sync();
  assert.equal(h.status().containerStatuses[0].state.waiting.reason, 'CreateContainerConfigError');
  assert.equal(h.status().containerStatuses[0].state.waiting.message, 'secret "creds" not found');
  h.api.seed(SECRET, { metadata: { name: 'creds', namespace: 'default' }, data: { pw: b64('x') } });
  await h.sync();
  assert.deepEqual(h.rt.named('app')!.config.envs, [{ key: 'X_GOOD', value: '1' }, { key: 'PW', value: 'x' }]);
  assert.ok((await h.apiEvents()).includes('InvalidEnvironmentVariableNames: Keys [bad key] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.'));
});

test('the termination message a container writes is in its terminated state and, after a restart, in lastState', async (t) => {
  const h = podHarness(t);
  h.seed({ containers: [{ name: 'app', image: 'img/app:1', terminationMessagePath: '/dev/termination-log' }] });
  await h.sync();
  const c = h.rt.named('app')!;
  const file = c.config.mounts!.find((m) => m.containerPath === '/dev/termination-log')!.hostPath;
  writeFileSync(file, 'bye: config invalid');
  h.rt.exit(c.id, 3);
  await h.sync();
  assert.equal(h.status().containerStatuses[0].lastState.terminated.message, 'bye: config invalid');
  assert.equal(h.status().containerStatuses[0].lastState.terminated.exitCode, 3);
});

test('a disk emptyDir over its sizeLimit: the pod is evicted - containers stopped, Failed/Evicted, DisruptionTarget, the Evicted event - and its volumes go', async (t) => {
  const h = podHarness(t);
  h.seed({ containers: [{ name: 'app', image: 'img/app:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', emptyDir: { sizeLimit: '32Ki' } }] });
  await h.sync();
  const dir = h.rt.named('app')!.config.mounts!.find((m) => m.containerPath === '/data')!.hostPath;
  writeFileSync(`${dir}/big`, Buffer.alloc(256 * 1024, 7));
  const over = h.deps.volumes.overLimit(h.pod());
  assert.deepEqual(over, { volume: 'data', limit: '32Ki' });
  const message = 'Usage of EmptyDir volume "data" exceeds the limit "32Ki". ';
  h.deps.evictions.set(h.pod().metadata.uid as string, message);
  await h.sync();
  assert.deepEqual(h.rt.running(), []);
  const s = h.status();
  assert.deepEqual([s.phase, s.reason, s.message], ['Failed', 'Evicted', message]);
  assert.equal(s.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget').reason, 'TerminationByKubelet');
  assert.ok((await h.apiEvents()).includes(`Evicted: ${message}`));
  await h.sync();
  assert.throws(() => readFileSync(`${dir}/big`), /ENOENT/, 'the volume is removed once the pod is terminal');
  assert.equal(h.rt.calls.filter((c) => c.startsWith('CreateContainer')).length, 1, 'never restarted');
});

test('a ConfigMap deleted under a running pod: FailedMount, but the containers keep running with what the volume had', async (t) => {
  const h = podHarness(t);
  h.api.seed(CONFIGMAP, { metadata: { name: 'cfg', namespace: 'default' }, data: { k: 'v1' } });
  h.seed({ containers: [{ name: 'app', image: 'img/app:1', volumeMounts: [{ name: 'c', mountPath: '/etc/c' }] }], volumes: [{ name: 'c', configMap: { name: 'cfg' } }] });
  await h.sync();
  const dir = h.rt.named('app')!.config.mounts![0]!.hostPath;
  await h.api.client().delete(CONFIGMAP, 'cfg', { namespace: 'default' });
  await h.sync();
  assert.deepEqual(h.rt.running(), ['app']);
  assert.ok(h.status().containerStatuses[0].state.running, 'still reported running');
  assert.equal(readFileSync(`${dir}/k`, 'utf8'), 'v1');
  assert.ok((await h.apiEvents()).includes('FailedMount: MountVolume.SetUp failed for volume "c" : configmap "cfg" not found'));
});
