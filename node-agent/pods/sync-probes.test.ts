// Probes through syncPod on a fake clock: readiness drives ready and the Ready/ContainersReady conditions; a liveness
// or startup failure restarts the container with Unhealthy then Killing, stopped with the probe's grace period.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionOutcome } from './probes/actions.js';
import { podHarness, type PodHarness } from './testing/harness.js';

const exec = (extra: Record<string, unknown> = {}) => ({ exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...extra });

function clock(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
  return async (seconds: number) => {
    for (let i = 0; i < seconds * 10; i++) {
      t.mock.timers.tick(100);
      for (let j = 0; j < 5; j++) await new Promise((r) => setImmediate(r));
    }
  };
}
const cond = (h: PodHarness, type: string) => h.status().conditions.find((c: { type: string }) => c.type === type);

test('readiness: Running but not Ready until the probe passes, then Ready; the result change wakes the pod, no status write otherwise', async (t) => {
  const advance = clock(t);
  const h = podHarness(t);
  let ready = false;
  h.probe.run = async (): Promise<ActionOutcome> => (ready ? { result: 'success', output: '' } : { result: 'failure', output: 'cat: can\'t open \'/tmp/ready\': No such file or directory' });
  h.seed({ containers: [{ name: 'web', image: 'img/web:1', readinessProbe: exec() }] });
  await h.sync();
  assert.equal(h.status().phase, 'Running');
  assert.equal(h.status().containerStatuses[0].ready, false);
  assert.equal(h.status().containerStatuses[0].started, true);
  assert.deepEqual([cond(h, 'Ready').status, cond(h, 'Ready').reason, cond(h, 'Ready').message], ['False', 'ContainersNotReady', 'containers with unready status: [web]']);
  await advance(3);
  assert.deepEqual(h.probeChanges, [], 'failing from the start: no change');
  const patches = h.api.count('patch', 'pods');
  await h.sync();
  assert.equal(h.api.count('patch', 'pods'), patches, 'a sync with nothing new writes nothing');
  ready = true;
  await advance(1);
  assert.equal(h.probeChanges.length, 1, 'the pod is woken once');
  await h.sync();
  assert.equal(h.status().containerStatuses[0].ready, true);
  assert.equal(cond(h, 'Ready').status, 'True');
  assert.equal(cond(h, 'ContainersReady').status, 'True');
  assert.ok((await h.apiEvents()).includes("Unhealthy: Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory"));
});

test('liveness: failureThreshold failures restart the container - Unhealthy, then Killing - stopped with the probe\'s terminationGracePeriodSeconds', async (t) => {
  const advance = clock(t);
  const h = podHarness(t);
  h.probe.run = async () => ({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  h.seed({ containers: [{ name: 'web', image: 'img/web:1', livenessProbe: exec({ failureThreshold: 2, terminationGracePeriodSeconds: 7 }) }] });
  await h.sync();
  const first = h.rt.named('web')!;
  await advance(2.5);
  assert.equal(h.probeChanges.length, 1);
  await h.sync();
  assert.equal(first.state, 'CONTAINER_EXITED');
  assert.equal(first.stoppedWithGrace, 7);
  assert.deepEqual(h.rt.running(), ['web'], 'restarted at once (the first restart has no back-off)');
  assert.equal(h.status().containerStatuses[0].restartCount, 1);
  const events = (await h.apiEvents()).filter((e) => /^(Unhealthy|Killing)/.test(e));
  assert.deepEqual([...new Set(events)], ['Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500', 'Killing: Container web failed liveness probe, will be restarted']);
});

test('startup: liveness waits while startup runs; a startup probe that never passes restarts the container', async (t) => {
  const advance = clock(t);
  const h = podHarness(t);
  const ran: string[] = [];
  h.probe.run = async (_t, p) => {
    ran.push(p.periodSeconds === 2 ? 'startup' : 'liveness');
    return { result: 'failure', output: 'no' };
  };
  h.seed({ containers: [{ name: 'slow', image: 'img/slow:1', startupProbe: exec({ periodSeconds: 2, failureThreshold: 3 }), livenessProbe: exec({ failureThreshold: 1 }) }] });
  await h.sync();
  assert.equal(h.status().containerStatuses[0].started, false);
  assert.equal(h.status().containerStatuses[0].ready, false);
  await advance(6.5);
  assert.deepEqual([...new Set(ran)], ['startup'], 'liveness held back');
  await h.sync();
  assert.ok((await h.apiEvents()).includes('Killing: Container slow failed startup probe, will be restarted'));
  assert.equal(h.status().containerStatuses[0].restartCount, 1);
});
