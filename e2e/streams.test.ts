// Acceptance (streams into pods): `kubectl port-forward`, `kubectl attach` (piped and -it in tmux), `kubectl cp` both
// ways and exec, on a whole local cluster (`flotilla up` in a temp dir: real containerd and its CRI streaming server,
// registry, API server, node agent), with kubectl 1.32 (WebSocket: v5 for exec/attach, the SPDY tunnel for
// port-forward) and kubectl 1.27-1.29 (SPDY/3.1 for everything), and flotctl's port-forward, attach and cp, checked
// against kubectl's (what one copies in, the other copies out). Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { FLOTCTL, KUBECTL, ROOT, freePort, runFlotctl } from './harness.js';
import { upCluster } from './up-cluster.js';

const children = new Set<ChildProcess>();
let tmuxSocket = '';
const c = upCluster({
  name: 'streams', nodeName: 'streams-node',
  afterUp: async () => {
    ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: ${c.registry}/flotilla/web:v1
    env: [{name: POD_NAME, value: web}]
    ports: [{name: http, containerPort: 8080}]
  - name: tools
    image: ${c.registry}/flotilla/tools:v1
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
`);
    await running('web');
  },
  beforeDown: () => {
    for (const child of children) child.kill('SIGKILL');
    if (tmuxSocket) spawnSync('tmux', ['-S', tmuxSocket, 'kill-server']);
  },
});
const { skip, dir, kubeconfig } = c;
/** The SPDY-only kubectl versions (1.30 still falls back to SPDY, 1.31+ tunnels port-forward in WebSocket). */
const OLD = [27, 28, 29].map((v) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${v}`);
/** Every kubectl from 1.27 to 1.33 that is installed (1.30 speaks v5 for exec and SPDY for port-forward). */
const ALL_VERSIONS = [27, 28, 29, 30, 31, 32, 33].map((v) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${v}`).filter(existsSync);

type Run = { code: number; stdout: string; stderr: string };
const kubectlWith = (binary: string, args: string[], input?: string | Buffer): Run => c.kubectl(args, input, binary);
const ok = (args: string[], input?: string, binary = KUBECTL): string => c.ok(args, input, binary);

/** A long-running kubectl (port-forward), killed at the end of the run if it is still there. */
function startKubectl(binary: string, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(binary, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += String(d)));
  child.stderr?.on('data', (d: Buffer) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => {
    children.delete(child);
    r(code);
  }));
  return { child, output: () => out, exited };
}

const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs?: number): Promise<T> => c.until(what, fn, timeoutMs);

const running = (name: string) => until(`pod ${name} Running`, async () => (await c.podNow(name))?.status?.phase === 'Running', 120_000);

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** A command run in a tmux terminal of its own (91x37): keys typed into it, the screen read back, its exit code. */
function terminal(name: string, command: string): { pane: () => string; type: (line: string) => void; exitCode: () => Promise<string> } {
  tmuxSocket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => spawnSync('tmux', ['-S', tmuxSocket, ...args], { encoding: 'utf8' });
  const marker = join(dir, `${name}.exit`);
  const script = join(dir, `${name}.sh`);
  writeFileSync(script, `KUBECONFIG=${kubeconfig} ${command}; echo $? > ${marker}\n`);
  assert.equal(tmux('new-session', '-d', '-s', name, '-x', '91', '-y', '37', 'sh', script).status, 0);
  return {
    pane: () => tmux('capture-pane', '-p', '-t', name).stdout,
    type: (line) => void tmux('send-keys', '-t', name, line, 'Enter'),
    exitCode: async () => {
      await until(`${name} to exit`, () => existsSync(marker) && readFileSync(marker, 'utf8').trim() !== '');
      return readFileSync(marker, 'utf8').trim();
    },
  };
}

/** Starts `kubectl port-forward` LOCAL:REMOTE and waits until it says it forwards to the pod's 8080. */
async function portForward(binary: string, target: string, pre: string[] = [], remote = '8080'): Promise<{ port: number; pf: ReturnType<typeof startKubectl> }> {
  const port = await freePort();
  const pf = startKubectl(binary, [...pre, 'port-forward', '--address', '127.0.0.1', target, `${port}:${remote}`]);
  await until(`${binary} port-forward to say it forwards`, () => pf.output().includes(`Forwarding from 127.0.0.1:${port} -> 8080`) || (pf.child.exitCode !== null && assert.fail(pf.output())), 60_000);
  return { port, pf };
}

test('kubectl port-forward (1.32, SPDY tunnelled in WebSocket): 50 concurrent HTTP requests through it all succeed', { skip }, async () => {
  const { port, pf } = await portForward(KUBECTL, 'pod/web');
  const all = await Promise.all(Array.from({ length: 50 }, (_, i) => get(port, i % 2 ? '/healthz' : '/')));
  all.forEach((r, i) => {
    assert.equal(r.status, 200);
    if (i % 2) assert.equal(r.body, 'ok\n');
    else assert.match(r.body, /<h1>Hello from web<\/h1>/);
  });
  pf.child.kill('SIGINT');
  await pf.exited;
});

test('kubectl 1.27-1.33 port-forward (SPDY/3.1 up to 1.30, the tunnel after), and a connection to a port nobody listens on fails alone', { skip }, async () => {
  assert.ok(ALL_VERSIONS.length >= 3, 'the kubectl versions are installed');
  for (const binary of ALL_VERSIONS) {
    const { port, pf } = await portForward(binary, 'pod/web');
    const all = await Promise.all(Array.from({ length: 10 }, () => get(port, '/healthz')));
    assert.deepEqual(all.map((r) => r.body), Array(10).fill('ok\n'), binary);
    pf.child.kill('SIGINT');
    await pf.exited;
  }
  // kubectl reports the runtime's error for a closed port; the forward itself goes on for the next connection
  const closed = await freePort();
  const pf = startKubectl(KUBECTL, ['port-forward', '--address', '127.0.0.1', 'pod/web', `${closed}:9`]);
  await until('the forward to port 9', () => pf.output().includes(`Forwarding from 127.0.0.1:${closed} -> 9`));
  await get(closed, '/').then(() => assert.fail('a response from a closed port'), () => undefined);
  await until('kubectl to report the refused port', () => /error forwarding port 9 to pod/.test(pf.output()));
  pf.child.kill('SIGINT');
  await pf.exited;
});

test('the official Python client\'s port-forward (the WebSocket channel protocol, ports in the query) reaches the pod', { skip }, () => {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'e2e/fixtures/python-client.py'), 'portforward', 'default', 'web'], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { refused: boolean; response?: string; body?: string; error?: string };
  assert.equal(got.error, undefined);
  assert.match(got.response ?? '', /^HTTP\/1\.[01] 200 OK$/);
  assert.equal(got.body, 'ok\n');
});

test('kubectl attach -i (piped stdin, stdinOnce) and attach with kubectl 1.27 (SPDY)', { skip }, async () => {
  for (const [name, binary] of [['reader', KUBECTL], ['reader-old', OLD[0] as string]] as const) {
    ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: ${c.registry}/flotilla/tools:v1
    stdin: true
    stdinOnce: true
    command: [sh, -c, 'while read l; do echo "got $l"; echo "err $l" >&2; done; echo bye']
`);
    await running(name);
    const r = kubectlWith(binary, ['attach', '-i', name], 'one\ntwo\n');
    assert.equal(r.code, 0, `${binary}: ${r.stderr}`);
    assert.match(r.stdout, /got one\ngot two\nbye\n/, binary);
    assert.match(r.stderr, /err one\nerr two\n/, binary);
    await until(`${name} to complete`, async () => (await c.podNow(name))?.status?.phase === 'Succeeded');
    ok(['delete', 'pod', name, '--wait=false']);
  }
});

test('kubectl attach -it in a terminal (tmux): a shell answers, the terminal size reaches it, exit ends the session', { skip }, async () => {
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: ${c.registry}/flotilla/tools:v1, stdin: true, tty: true, command: [sh]}
`);
  await running('shell');
  const t = terminal('attach', `${KUBECTL} attach -it shell`);
  await until('kubectl attach -it to be connected', () => t.pane().includes('If you don\'t see a command prompt'));
  t.type('echo sum=$((6*7)) size=$(stty size)');
  await until('the shell to answer in the terminal', () => /sum=42 size=37 91/.test(t.pane()));
  t.type('exit');
  assert.equal(await t.exitCode(), '0');
});

test('kubectl debug -it (an ephemeral container attached in a terminal) sees the target container\'s processes', { skip }, async () => {
  const t = terminal('debug', `${KUBECTL} debug -it web --image=${c.registry}/flotilla/tools:v1 --target=tools --container=dbg -- sh`);
  await until('kubectl debug -it to be connected', () => t.pane().includes('If you don\'t see a command prompt'), 120_000);
  // the target's loop (sh -c 'trap ...') is in the debug container's process namespace
  t.type('echo found=$(ps -o args | grep -c "[t]rap")');
  await until('the debug shell to see the target\'s process', () => /found=1/.test(t.pane()), 30_000);
  t.type('exit');
  assert.equal(await t.exitCode(), '0');
});

test('kubectl cp a 5 MB file into a pod and back out, byte-identical, with kubectl 1.32 (v5) and 1.27 (SPDY)', { skip }, async () => {
  const original = randomBytes(5 * 1024 * 1024);
  const local = join(dir, 'big.bin');
  writeFileSync(local, original);
  for (const [i, binary] of [KUBECTL, OLD[0] as string].entries()) {
    ok(['cp', '-c', 'tools', local, `web:/tmp/big-${i}.bin`], undefined, binary);
    assert.equal(ok(['exec', 'web', '-c', 'tools', '--', 'wc', '-c', `/tmp/big-${i}.bin`]).trim(), `${original.length} /tmp/big-${i}.bin`);
    const back = join(dir, `back-${i}.bin`);
    ok(['cp', '-c', 'tools', `web:/tmp/big-${i}.bin`, back], undefined, binary);
    assert.ok(readFileSync(back).equals(original), `${binary}: the file came back changed`);
  }
});

test('exec with kubectl 1.27-1.33 (SPDY/3.1 up to 1.29, v5 after): stdout, stderr, stdin to its end, and the exit code', { skip }, async () => {
  for (const binary of ALL_VERSIONS) {
    const r = kubectlWith(binary, ['exec', 'web', '-c', 'tools', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3, `${binary}: ${r.stderr}`);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\ncommand terminated with exit code 3\n$/);
    assert.equal(ok(['exec', '-i', 'web', '-c', 'tools', '--', 'sh', '-c', 'wc -l; cat /etc/hostname >/dev/null'], 'a\nb\nc\n', binary).trim(), '3');
  }
});

test('flotctl port-forward: concurrent requests through it, a Service port mapped to the pod\'s (kubectl\'s svc/NAME too), Ctrl-C ends it with 0', { skip }, async () => {
  const { port, pf } = await portForward(process.execPath, 'pod/web', [FLOTCTL]);
  const all = await Promise.all(Array.from({ length: 50 }, () => get(port, '/healthz')));
  assert.deepEqual(all.map((r) => r.body), Array(50).fill('ok\n'));
  assert.equal(pf.output().match(/Handling connection for \d+/g)?.length, 50);
  pf.child.kill('SIGINT');
  assert.equal(await pf.exited, 0);
  // a port nobody listens on: that connection fails with the runtime's reason, the forward goes on
  const closed = await freePort();
  const nine = startKubectl(process.execPath, [FLOTCTL, 'port-forward', '--address', '127.0.0.1', 'pod/web', `${closed}:9`]);
  await until('flotctl to forward to port 9', () => nine.output().includes(`Forwarding from 127.0.0.1:${closed} -> 9`));
  await get(closed, '/').then(() => assert.fail('a response from a closed port'), () => undefined);
  await until('flotctl to report the refused port', () => /error: an error occurred forwarding \d+ -> 9: .*9/.test(nine.output()));
  assert.equal(nine.child.exitCode, null, 'the forward goes on');
  nine.child.kill('SIGINT');
  await nine.exited;
  // svc/NAME: the Service's port 80 is the pod's 8080 (its targetPort, by name)
  ok(['label', 'pod', 'web', 'app=web']);
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`);
  const local = await freePort();
  const svc = startKubectl(process.execPath, [FLOTCTL, 'port-forward', '--address', '127.0.0.1', 'svc/web', `${local}:80`]);
  await until('flotctl port-forward svc/web', () => svc.output().includes(`Forwarding from 127.0.0.1:${local} -> 8080`) || (svc.child.exitCode !== null && assert.fail(svc.output())));
  assert.equal((await get(local, '/healthz')).body, 'ok\n');
  svc.child.kill('SIGINT');
  await svc.exited;
  // and kubectl's svc/NAME, which it maps to the pod the same way before asking pods/portforward
  const { port: viaKubectl, pf: kpf } = await portForward(KUBECTL, 'svc/web', [], '80');
  assert.equal((await get(viaKubectl, '/healthz')).body, 'ok\n');
  kpf.child.kill('SIGINT');
  await kpf.exited;
});

test('flotctl attach -i and cp both ways, against kubectl cp (a 5 MB file and a directory tree)', { skip }, async () => {
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: reader-flotctl}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: ${c.registry}/flotilla/tools:v1, stdin: true, stdinOnce: true, command: [sh, -c, 'while read l; do echo "got $l"; done; echo bye']}
`);
  await running('reader-flotctl');
  const a = runFlotctl(kubeconfig, ['attach', '-i', 'reader-flotctl'], { input: 'one\ntwo\n' });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, 'got one\ngot two\nbye\n');
  assert.equal(a.stderr, "If you don't see a command prompt, try pressing enter.\n");

  const original = randomBytes(5 * 1024 * 1024);
  const local = join(dir, 'flot-big.bin');
  writeFileSync(local, original);
  const cp = (...args: string[]) => {
    const r = runFlotctl(kubeconfig, ['cp', '-c', 'tools', ...args], { timeout: 120_000 });
    assert.equal(r.code, 0, `flotctl cp ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  // flotctl in, kubectl out; kubectl in, flotctl out
  cp(local, 'web:/tmp/flot-big.bin');
  ok(['cp', '-c', 'tools', 'web:/tmp/flot-big.bin', join(dir, 'flot-back-1.bin')]);
  assert.ok(readFileSync(join(dir, 'flot-back-1.bin')).equals(original), 'flotctl cp in, kubectl cp out');
  ok(['cp', '-c', 'tools', local, 'web:/tmp/kube-big.bin']);
  cp('web:/tmp/kube-big.bin', join(dir, 'flot-back-2.bin'));
  assert.ok(readFileSync(join(dir, 'flot-back-2.bin')).equals(original), 'kubectl cp in, flotctl cp out');
  // a directory tree into a directory that exists (it lands under its own name) and back
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  writeFileSync(join(tree, 'a', 'b', 'deep.txt'), 'deep\n');
  writeFileSync(join(tree, 'top.txt'), 'top\n');
  cp(tree, 'web:/tmp');
  assert.equal(ok(['exec', 'web', '-c', 'tools', '--', 'cat', '/tmp/tree/a/b/deep.txt', '/tmp/tree/top.txt']), 'deep\ntop\n');
  cp('web:/tmp/tree', join(dir, 'tree-back'));
  assert.equal(readFileSync(join(dir, 'tree-back', 'a', 'b', 'deep.txt'), 'utf8'), 'deep\n');
  assert.equal(readFileSync(join(dir, 'tree-back', 'top.txt'), 'utf8'), 'top\n');
  // a path that is not there: tar's own error and a failure
  const missing = runFlotctl(kubeconfig, ['cp', '-c', 'tools', 'web:/tmp/nope', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /tar: .*nope: No such file or directory/);
});

test('a port-forward ends when its pod is deleted', { skip, timeout: 120_000 }, async () => {
  const { pf } = await portForward(KUBECTL, 'pod/web');
  const { pf: old } = await portForward(OLD[0] as string, 'pod/web');
  const { pf: flot } = await portForward(process.execPath, 'pod/web', [FLOTCTL]);
  ok(['delete', 'pod', 'web', '--wait=false']);
  const codes = await Promise.all([pf.exited, old.exited, flot.exited]);
  assert.deepEqual(codes.map((c) => c !== null), [true, true, true], 'every port-forward exited on its own');
  assert.equal(codes[2], 1);
  assert.match(flot.output(), /error: lost connection to pod\n$/);
});
