// Acceptance (clients of a node's pods): the README's example Website controller (e2e/website-example.ts); execs
// that clients reset mid-handshake and mid-stream (relayed API server -> node agent -> containerd's streaming server),
// and the official Python client's exec, port-forward and watch, on a whole local cluster (e2e/up-cluster.ts). Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { ROOT, credentialsOf, waitFor } from './harness.js';
import { acceptedConnections, orphanedConnections } from './tcp.js';
import { upCluster } from './up-cluster.js';
import { websiteExample } from './website-example.js';

const NODE = 'clients-node';
const c = upCluster({ name: 'clients', nodeName: NODE, logs: ['node-agent', 'runtime'] });
const { skip, dir } = c;
const kubectl = (args: string[], input?: string) => c.kubectl(args, input);
const ok = (args: string[], input?: string): string => c.ok(args, input);

interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { containers: Array<{ image: string }> };
  status: { phase?: string; podIP?: string; containerStatuses?: Array<{ name: string; restartCount: number; ready: boolean; state: Record<string,
    { reason?: string; message?: string; exitCode?: number }>; lastState: Record<string, { reason?: string; exitCode?: number }> }> };
}

const pod = (name: string): Pod => JSON.parse(ok(['get', 'pod', name, '-o', 'json']));

/** Exec resets on real containers; each starts a process in the pod (FLOTILLA_EXEC_RESETS lowers it for a quick run). */
const EXEC_RESETS = Number(process.env.FLOTILLA_EXEC_RESETS ?? 150);
const PYTHON = '/usr/bin/python3';
const PY_CLIENT = join(ROOT, 'e2e/fixtures/python-client.py');

function componentPid(name: string): number {
  return Number(readFileSync(join(dir, `run/${name}.pid`), 'utf8'));
}

function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A pod of the demo image of its own, Running; deleted when the test ends. */
async function ownPod(t: { after: (fn: () => void) => void }, name: string): Promise<void> {
  t.after(() => void kubectl(['delete', 'pod', name, '--ignore-not-found', '--grace-period=1', '--wait=false']));
  ok(['run', name, `--image=${c.registry}/flotilla/web:v1`]);
  await waitFor(`pod ${name} to run`, async () => pod(name).status.containerStatuses?.[0]?.ready === true, 60_000, 300);
}

function python(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [PY_CLIENT, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test(`${EXEC_RESETS} real execs reset mid-handshake and mid-stream: API server and agent live on, every session ends down to the container`, { skip }, async (t) => {
  await ownPod(t, 'resets');
  const agentPort = JSON.parse(ok(['get', 'node', NODE, '-o', 'json'])).status.daemonEndpoints.kubeletEndpoint.Port as number;
  const apiPid = componentPid('apiserver');
  const agentPid = componentPid('node-agent');
  /** The client ports of this test's own connections to the API server. */
  const ours = new Set<number>();
  const agentBefore = new Set(acceptedConnections(agentPort));
  // the marker is the shell's $0, so the host's process table shows every session still alive in the container;
  // `cat` ends when its stdin does, which happens only when the stream is closed all the way to containerd
  const marker = `flotilla-reset-${process.pid}`;
  const path = `/api/v1/namespaces/default/pods/resets/exec?${['sh', '-c', 'echo ready; cat; echo done', marker].map((c) => `command=${encodeURIComponent(c)}`).join('&')}&stdin=True&stdout=True&stderr=True&tty=False`;
  const req = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`;
  let midStream = 0;
  // over TLS as the admin; the reset is sent on the TCP socket under the TLS one (TLS itself has no reset)
  const admin = await credentialsOf(join(dir, 'kubeconfig'));
  const resetOne = async (i: number) => {
    const raw = connect(c.port, '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('close', () => reject(new Error('refused'))));
    if (raw.localPort) ours.add(raw.localPort);
    const s = tlsConnect({ socket: raw, ca: admin.ca, cert: admin.cert, key: admin.key });
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => s.once('secureConnect', resolve).once('close', () => reject(new Error('TLS handshake failed'))));
    s.write(req);
    if (i % 3 === 0) {
      // mid-handshake: while the API server finds the node and the agent asks the runtime for the session
      if (i % 2) await new Promise((r) => setTimeout(r, 5));
      raw.resetAndDestroy();
      return;
    }
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exec ${i}: no ${i % 3 === 1 ? 'answer' : '"ready"'} in 30s: ${JSON.stringify(seen)}`)), 30_000);
      s.on('data', (d: Buffer) => {
        seen += d.toString('latin1');
        // 1: right after the 101; 2: once the process in the container has written (mid-stream)
        if (i % 3 === 1 || seen.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.match(seen, /^HTTP\/1\.1 101 /, `exec ${i}`);
    if (i % 3 === 2) midStream++;
    raw.resetAndDestroy();
  };
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < EXEC_RESETS) await resetOne(next++);
  }));
  assert.ok(midStream >= EXEC_RESETS / 3 - 1, 'a third of the sessions were reset with their process running');
  assert.ok(running(apiPid), 'the API server is still running');
  assert.ok(running(agentPid), 'the node agent is still running');
  const hostProcesses = () => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(marker));
  await waitFor('every exec session to end inside the container', async () => hostProcesses().length === 0, 60_000, 250).catch((e) => {
    const relays = `API server connections left: ${orphanedConnections(c.port, ours).length}, agent relays left: ${acceptedConnections(agentPort).filter((p) => !agentBefore.has(p)).length}`;
    throw new Error(`${(e as Error).message}; ${hostProcesses().length} left (${relays})`);
  });
  // ours, by their client ports: the cluster's own clients may open connections of their own meanwhile
  await waitFor('the API server to hold no connection of them', async () => orphanedConnections(c.port, ours).length === 0, 30_000, 200).catch((e) => {
    throw new Error(`${(e as Error).message}: from client ports ${orphanedConnections(c.port, ours).join(', ')}`);
  });
  await waitFor('the agent to hold no relay of them', async () => acceptedConnections(agentPort).filter((p) => !agentBefore.has(p)).length === 0, 30_000, 200);
  // and exec still works, for kubectl too
  const r = kubectl(['exec', 'resets', '--', 'sh', '-c', 'echo after; exit 4']);
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stdout, 'after\n');
});

test('the official Python client: exec gives stdout, stderr and the exit code; exec with stdin; port-forward reaches the pod', { skip }, async (t) => {
  await ownPod(t, 'pyclient');
  const once = python(['exec', 'default', 'pyclient']);
  assert.equal(once.code, 0, once.stderr);
  assert.deepEqual(JSON.parse(once.stdout), { stdout: 'hi\n', stderr: 'err\n', returncode: 3 });
  const interactive = python(['exec-stdin', 'default', 'pyclient']);
  assert.equal(interactive.code, 0, interactive.stderr);
  assert.deepEqual(JSON.parse(interactive.stdout), { answers: ['got-42', 'got-49'], stderr: 'bye\n', returncode: 5 });
  const pf = python(['portforward', 'default', 'pyclient']);
  assert.equal(pf.code, 0, pf.stderr);
  // served now (it was refused with 405): an HTTP request through the forwarded port
  const forwarded = JSON.parse(pf.stdout);
  assert.match(forwarded.response ?? '', /^HTTP\/1\.[01] 200 OK$/, pf.stdout);
  assert.equal(forwarded.body, 'ok\n');
  assert.ok(running(componentPid('apiserver')), 'the API server is still running');
});

test('the official Python client\'s watch (?watch=True) sees a ConfigMap created and then changed', { skip }, async (t) => {
  t.after(() => void kubectl(['delete', 'configmap', 'pywatch', '--ignore-not-found']));
  const child = spawn(PYTHON, [PY_CLIENT, 'watch', 'default', 'pywatch'], { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
  t.after(() => void child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // created after the watch started or before: either way the watch reports it as ADDED
  ok(['create', 'configmap', 'pywatch', '--from-literal=k=v1']);
  await waitFor('the watch to see the ConfigMap', async () => out.includes('"ADDED"'), 60_000, 100).catch((e) => {
    throw new Error(`${(e as Error).message}: ${out}${err}`);
  });
  ok(['patch', 'configmap', 'pywatch', '-p', '{"data":{"k":"v2"}}']);
  assert.equal(await exited, 0, err);
  const last = JSON.parse(out.trim().split('\n').pop() as string);
  assert.deepEqual(last, { events: [['ADDED', 'v1'], ['MODIFIED', 'v2']] });
});

test('the example Website controller: pods answering with the page, a Service, status; a rollout; a SIGKILL mid-reconcile; deletion', { skip }, async (t) => {
  await websiteExample(c, (fn) => t.after(fn));
});
