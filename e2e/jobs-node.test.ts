// Acceptance (Jobs with real containers): on a whole local cluster (`flotilla up` in a temp dir: real containerd,
// registry, API server, controllers, scheduler, node agent), driven with the real kubectl, a Job computes a sum and
// `kubectl logs job/x` prints it; an Indexed Job's pods read JOB_COMPLETION_INDEX (the downward API on the
// batch.kubernetes.io/job-completion-index annotation) and compute from it. `flotilla down` leaves no process. Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, ROOT, freePort } from './harness.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (containerd, runc, CNI)';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-jobs-'));
let tools = '';

function flotilla(args: string[], timeoutMs = 300_000): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`flotilla ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}\n${agentLog()}`);
  return r.stdout;
}

function agentLog(): string {
  try {
    return `--- node-agent.log (tail)\n${readFileSync(join(dir, 'logs', 'node-agent.log'), 'utf8').split('\n').slice(-20).join('\n')}`;
  } catch {
    return '';
  }
}

function kubectl(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(KUBECTL, args, { input, encoding: 'utf8', timeout: 200_000, env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}\n${agentLog()}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  const regPort = await freePort();
  tools = `127.0.0.1:${regPort}/flotilla/tools:v1`;
  flotilla(['up', '--data-dir', dir, '--port', String(await freePort()), '--registry-port', String(regPort), '--node-agent-port', String(await freePort()),
    '--node-name', 'jobs-node']);
});

after(() => {
  if (!skip) {
    flotilla(['down', '--data-dir', dir]);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dir));
    assert.deepEqual(ps, [], 'no process of the cluster is left');
  }
  if (!process.env.FLOTILLA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

test('a Job computes a sum in a real container; kubectl wait and kubectl logs job/x', { skip }, () => {
  ok(['create', 'job', 'sum', `--image=${tools}`, '--', 'sh', '-c', 'i=0; s=0; while [ $i -lt 100 ]; do i=$((i+1)); s=$((s+i)); done; echo sum=$s']);
  ok(['wait', '--for=condition=complete', 'job/sum', '--timeout=180s']);
  assert.equal(ok(['logs', 'job/sum']).trim(), 'sum=5050');
  const job = JSON.parse(ok(['get', 'job', 'sum', '-o', 'json']));
  assert.equal(job.status.succeeded, 1);
  assert.match(ok(['get', 'job', 'sum']), /sum\s+Complete\s+1\/1/);
});

test('an Indexed Job: each pod reads JOB_COMPLETION_INDEX and squares it', { skip }, () => {
  ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'squares' },
    spec: { completions: 3, parallelism: 3, completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never',
      containers: [{ name: 'sq', image: tools, command: ['sh', '-c', 'echo "$JOB_COMPLETION_INDEX^2=$((JOB_COMPLETION_INDEX * JOB_COMPLETION_INDEX))"'] }] } } },
  }));
  ok(['wait', '--for=condition=complete', 'job/squares', '--timeout=180s']);
  const pods = JSON.parse(ok(['get', 'pods', '-l', 'job-name=squares', '-o', 'json'])).items as Array<{ metadata: { name: string } }>;
  const lines = pods.map((p) => ok(['logs', p.metadata.name]).trim()).sort();
  assert.deepEqual(lines, ['0^2=0', '1^2=1', '2^2=4']);
});
