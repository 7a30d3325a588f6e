import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logger } from '../../lib/util/log.js';
import { RestartBackoff } from './backoff.js';
import { KeepRunning, type Exit, type RunningProcess } from './restart.js';

class FakeProcess implements RunningProcess {
  private end!: (e: Exit) => void;
  readonly exited = new Promise<Exit>((r) => (this.end = r));
  stopped = false;
  constructor(readonly pid: number) {}
  crash(): void {
    this.end({ code: null, signal: 'SIGKILL' });
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.end({ code: 0, signal: null });
  }
}

const quiet = logger('test');
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a process that dies is started again after the back-off; stop() stops the current one and no restart follows', async () => {
  const started: FakeProcess[] = [];
  const k = new KeepRunning('fake', async () => {
    const p = new FakeProcess(started.length + 1);
    started.push(p);
    return p;
  }, quiet, new RestartBackoff({ initialMs: 20, maxMs: 40 }));
  await k.start();
  assert.equal(k.current.pid, 1);
  started[0]?.crash();
  await tick(80);
  assert.equal(started.length, 2, 'restarted once');
  assert.equal(k.current.pid, 2);
  assert.equal(k.restarts, 1);
  await k.stop();
  assert.equal(started[1]?.stopped, true, 'the running instance was stopped');
  await tick(80);
  assert.equal(started.length, 2, 'no restart after stop');
});

test('a failed restart is retried with a growing delay', async () => {
  let calls = 0;
  const times: number[] = [];
  const k = new KeepRunning('flaky', async () => {
    calls++;
    times.push(Date.now());
    if (calls === 1) return new FakeProcess(1);
    if (calls < 4) throw new Error('socket busy');
    return new FakeProcess(calls);
  }, quiet, new RestartBackoff({ initialMs: 10, maxMs: 1000 }));
  const first = await k.start();
  (first as FakeProcess).crash();
  for (let i = 0; i < 100 && calls < 4; i++) await tick(10);
  assert.equal(calls, 4, 'two failed starts, then a good one');
  assert.equal(k.current.pid, 4);
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  assert.ok((gaps[2] as number) > (gaps[0] as number), `delays grow: ${gaps.join(', ')}`);
  await k.stop();
});

test('stop() during a pending restart stops the instance that start produces', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const made: FakeProcess[] = [];
  const k = new KeepRunning('slow', async () => {
    if (made.length) await gate;
    const p = new FakeProcess(made.length + 1);
    made.push(p);
    return p;
  }, quiet, new RestartBackoff({ initialMs: 1 }));
  await k.start();
  made[0]?.crash();
  await tick(20);
  const stopping = k.stop();
  release();
  await stopping;
  assert.equal(made.length, 2);
  assert.equal(made[1]?.stopped, true, 'the late instance was stopped, not left running');
});
