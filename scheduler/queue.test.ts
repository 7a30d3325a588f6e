import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulingQueue } from './queue.js';
import { pod } from './testutil.js';

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

test('a failed pod backs off 1 s, doubling per attempt up to 10 s', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  q.add(pod('p'));
  const durations: number[] = [];
  for (let i = 0; i < 6; i++) {
    const item = q.tryPop()!;
    q.addBackoff(item);
    durations.push(q.backoffDuration(item));
    c.t += durations[i]! - 1;
    q.flushBackoffCompleted();
    assert.equal(q.whereIs(pod('p')), 'backoff', 'still backing off 1 ms before expiry');
    c.t += 1;
    q.flushBackoffCompleted();
    assert.equal(q.whereIs(pod('p')), 'active');
  }
  assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('a cluster change moves unschedulable pods back to activeQ at once, only if it may help them', () => {
  const q = new SchedulingQueue({ now: () => 0, pluginsFor: (ev) => new Set(ev === 'NodeAdd' ? ['NodeResourcesFit', 'TaintToleration'] : ev === 'AssignedPodDelete' ? ['NodeResourcesFit'] : []) });
  q.add(pod('cpu'));
  q.add(pod('taint'));
  q.addUnschedulable(q.tryPop()!, ['NodeResourcesFit']);
  q.addUnschedulable(q.tryPop()!, ['TaintToleration']);
  assert.equal(q.moveAllToActive('NodeLabelChange'), 0);
  assert.equal(q.moveAllToActive('AssignedPodDelete'), 1);
  assert.equal(q.whereIs(pod('cpu')), 'active');
  assert.equal(q.whereIs(pod('taint')), 'unschedulable');
  assert.equal(q.moveAllToActive('NodeAdd'), 1);
  assert.deepEqual(q.counts(), { active: 2, backoff: 0, unschedulable: 0 });
});

test('pods left unschedulable for more than 5 minutes are retried', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  q.add(pod('p'));
  q.addUnschedulable(q.tryPop()!, ['NodeAffinity']);
  c.t = 5 * 60_000;
  q.flushUnschedulableLeftover();
  assert.equal(q.whereIs(pod('p')), 'unschedulable');
  c.t += 1;
  q.flushUnschedulableLeftover();
  assert.equal(q.whereIs(pod('p')), 'active');
});

test('a spec change of an unschedulable pod requeues it; a status-only change does not', () => {
  const q = new SchedulingQueue({ now: () => 10_000_000 });
  const p = pod('p');
  q.add(p);
  q.addUnschedulable(q.tryPop()!, ['NodeAffinity']);
  q.update(p, { ...p, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } });
  assert.equal(q.whereIs(p), 'unschedulable');
  q.update(p, { ...p, spec: { ...p.spec, nodeSelector: {} } });
  assert.equal(q.whereIs(p), 'backoff');
});

test('activeQ pops by priority, then arrival; pop waits for work and ends on close', async () => {
  const q = new SchedulingQueue();
  q.add(pod('a', { spec: { priority: 1 } }));
  q.add(pod('b', { spec: { priority: 5 } }));
  q.add(pod('c', { spec: { priority: 1 } }));
  assert.deepEqual([q.tryPop(), q.tryPop(), q.tryPop()].map((x) => x?.pod.metadata.name), ['b', 'a', 'c']);
  const waiting = q.pop();
  q.add(pod('late'));
  assert.equal((await waiting)?.pod.metadata.name, 'late');
  const ended = q.pop();
  q.close();
  assert.equal(await ended, undefined);
});
