// The supervisor with real (tiny) child processes: back-off and recorded state, process-group clean-up, ordered
// start, stop, and children that die with a SIGKILLed supervisor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestartBackoff } from '../../node-agent/runtime/backoff.js';
import { alive, groupMembers, until } from './procfs.js';
import { readState, type ComponentState, type SupervisorState } from './state.js';
import { Supervisor, canUsePdeathsig, type ChildSpec } from './supervisor.js';

const node = (code: string) => [process.execPath, '-e', code];
const here = fileURLToPath(new URL('.', import.meta.url));

type Body = (s: Supervisor, dir: string, state: () => Record<string, ComponentState>) => Promise<void>;

async function withSupervisor(children: ChildSpec[], body: Body): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sup-'));
  const backoff = () => new RestartBackoff({ initialMs: 50, maxMs: 400, resetAfterMs: 60_000 });
  const s = new Supervisor({ dataDir: dir, children, backoff, readyPollMs: 20 });
  const state = () => Object.fromEntries((readState(dir) as SupervisorState).components.map((c) => [c.name, c]));
  try {
    s.start();
    await body(s, dir, state);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const waitFor = async (what: string, pred: () => boolean, ms = 10_000) => assert.ok(await until(pred, ms, 20), `timed out waiting for ${what}`);

test('a child that exits is restarted after its back-off, again and again; restarts and the last exit are recorded in the state file', async () => {
  await withSupervisor([{ name: 'flaky', command: node('setTimeout(() => process.exit(3), 30)') }], async (_s, dir, state) => {
    await waitFor('three restarts', () => (state().flaky?.restarts ?? 0) >= 3);
    const c = state().flaky as ComponentState;
    assert.deepEqual({ code: c.lastExit?.code, signal: c.lastExit?.signal }, { code: 3, signal: null });
    assert.match(c.lastExit?.at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(existsSync(join(dir, 'logs/flaky.log')), 'the child logs to logs/NAME.log');
  });
});

test('a SIGKILLed child comes back with a new pid; what it started in its process group is ended first', async () => {
  // the child starts a grandchild in its own process group (no detach), then idles
  const code = `require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
  await withSupervisor([{ name: 'parent', command: node(code) }], async (_s, dir, state) => {
    await waitFor('the grandchild', () => groupMembers(state().parent?.pgid ?? -1).length === 2);
    const first = state().parent as ComponentState;
    assert.equal(first.phase, 'running');
    assert.equal(first.pgid, first.pid, 'the child leads its own process group');
    assert.ok(existsSync(join(dir, 'run/parent.pid')));
    const grandchild = groupMembers(first.pgid as number).find((p) => p !== first.pid) as number;
    process.kill(first.pid as number, 'SIGKILL');
    await waitFor('the restart', () => state().parent?.restarts === 1 && state().parent?.phase === 'running');
    const second = state().parent as ComponentState;
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.lastExit?.signal, 'SIGKILL');
    assert.equal(alive(grandchild), false, 'the orphaned grandchild was ended');
  });
});

test('stop() ends every child with its group, SIGKILL for one that ignores SIGTERM, in the stop order', async () => {
  const stubborn = `process.on('SIGTERM', () => {}); require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sup-'));
  const order: string[] = [];
  const s = new Supervisor({
    dataDir: dir, readyPollMs: 20, stopOrder: [['b'], ['a']],
    children: [{ name: 'a', command: node('setInterval(() => {}, 1000)') }, { name: 'b', command: node(stubborn), stopGraceMs: 300 }],
    onChange: (st) => {
      for (const c of st.components) if (c.phase === 'stopped' && !order.includes(c.name)) order.push(c.name);
    },
  });
  try {
    s.start();
    const pgids = () => (readState(dir) as SupervisorState).components.map((c) => c.pgid as number);
    await waitFor('both running with b\'s grandchild', () => groupMembers(pgids()[1] ?? -1).length === 2);
    const groups = pgids();
    await s.stop();
    for (const g of groups) assert.deepEqual(groupMembers(g), [], `group ${g} is empty`);
    assert.deepEqual(order, ['b', 'a']);
    const st = readState(dir) as SupervisorState;
    assert.equal(st.running, false);
    assert.deepEqual(st.components.map((c) => c.phase), ['stopped', 'stopped']);
    assert.ok(!existsSync(join(dir, 'run/a.pid')) && !existsSync(join(dir, 'run/b.pid')), 'pid files removed');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a child waits for the components it comes after to be ready; restarts do not wait', async () => {
  const flag = join(mkdtempSync(join(tmpdir(), 'flotilla-sup-ready-')), 'ready');
  await withSupervisor([
    { name: 'api', command: node('setInterval(() => {}, 1000)'), ready: async () => existsSync(flag) },
    { name: 'client', command: node('setInterval(() => {}, 1000)'), after: ['api'] },
  ], async (_s, _dir, state) => {
    await waitFor('api to start', () => state().api?.phase === 'starting');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(state().client?.phase, 'waiting', 'client waits while api is not ready');
    writeFileSync(flag, '');
    await waitFor('client to start', () => state().client?.phase === 'running');
    assert.equal(state().api?.phase, 'running');
    rmSync(flag);
    process.kill(state().client?.pid as number, 'SIGKILL');
    await waitFor('client to restart', () => state().client?.restarts === 1 && state().client?.phase === 'running');
  });
});

/** Runs a supervisor in a process of its own, returns it and its state reader. */
async function supervisorProcess(children: ChildSpec[], pdeathsig: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sup-kill-'));
  const options = `{ dataDir: ${JSON.stringify(dir)}, pdeathsig: ${pdeathsig}, children: ${JSON.stringify(children)} }`;
  const code = `import(${JSON.stringify(join(here, 'supervisor.js'))}).then(({ Supervisor }) => new Supervisor(${options}).start())`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' });
  const state = () => readState(dir)?.components ?? [];
  const running = () => state().length === children.length && state().every((c) => c.phase === 'running' && c.pid !== undefined && alive(c.pid));
  await waitFor('the child to run', running);
  return { dir, proc, pids: state().map((c) => c.pid as number) };
}

const noSetpriv = canUsePdeathsig() ? false : 'setpriv --pdeathsig is not available here';
test('children die with a SIGKILLed supervisor: the kernel\'s parent-death signal (setpriv)', { skip: noSetpriv }, async () => {
  const { dir, proc, pids } = await supervisorProcess([{ name: 'plain', command: ['sleep', '300'] }], true);
  try {
    proc.kill('SIGKILL');
    await waitFor('the child to die', () => pids.every((p) => !alive(p)), 5000);
  } finally {
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('children die with a SIGKILLed supervisor: without setpriv, a flotilla component watches its parent', async () => {
  const watcher = `import(${JSON.stringify(join(here, '../signals.js'))}).then((m) => { m.watchSupervisor(); setInterval(() => {}, 1000); })`;
  const { dir, proc, pids } = await supervisorProcess([{ name: 'component', command: [process.execPath, '--input-type=module', '-e', watcher] }], false);
  try {
    proc.kill('SIGKILL');
    await waitFor('the child to notice and exit', () => pids.every((p) => !alive(p)), 5000);
  } finally {
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prepare runs before every start; a failing prepare is retried after the back-off, and nothing starts meanwhile', async () => {
  let calls = 0;
  const prepare = async () => {
    calls++;
    if (calls < 3) throw new Error(`not yet (${calls})`);
  };
  await withSupervisor([{ name: 'prepared', command: node('setTimeout(() => process.exit(0), 30)'), prepare }], async (_s, _dir, state) => {
    await waitFor('a start after two failed prepares', () => (state().prepared?.lastExit?.code ?? -1) === 0);
    assert.ok(calls >= 3, `prepare ran ${calls} times`);
    // the run that exited is followed by another prepare before the next start
    const before = calls;
    await waitFor('the next prepare', () => calls > before);
  });
});

test('a component added while running starts once its dependency is ready; a removed one is stopped with its group and never restarted', async () => {
  const idle = 'setInterval(() => {}, 1000)';
  await withSupervisor([{ name: 'base', command: node(idle) }], async (s, dir, state) => {
    await waitFor('base running', () => state().base?.phase === 'running');
    s.add({ name: 'extra', command: node(`require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' }); ${idle}`), after: ['base'] });
    assert.throws(() => s.add({ name: 'extra', command: node(idle) }), /supervised already/);
    await waitFor('the added component and its grandchild', () => state().extra?.phase === 'running' && groupMembers(state().extra?.pgid ?? -1).length === 2);
    const { pid, pgid } = state().extra as ComponentState;
    await s.remove('extra');
    assert.equal(state().extra, undefined, 'no longer in the state file');
    assert.equal(alive(pid as number), false, 'stopped');
    assert.deepEqual(groupMembers(pgid as number), [], 'its process group is empty');
    assert.equal(existsSync(join(dir, 'run/extra.pid')), false);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(state().extra, undefined, 'not started again');
    assert.equal(state().base?.phase, 'running', 'the others run on');
  });
});
