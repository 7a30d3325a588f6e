// The node runtime for real: our registry and containerd in a temp dir, our images built and pushed, then a pod
// driven through the CRI exactly as the node agent will (sandbox with a CNI IP, web container answering from the
// host, exec, logs, OOM kill, stop/remove), and finally nothing left on the host. Needs root and the Debian packages
// containerd runc containernetworking-plugins docker-registry skopeo umoci busybox-static iptables iproute2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CriClient, isNotFound, type PodSandboxConfig } from '../../node-agent/cri/client.js';
import { startRegistry, type Registry } from '../../node-agent/runtime/registry.js';
import { startContainerd, type Containerd, type ContainerdOptions } from '../../node-agent/runtime/containerd.js';
import { buildAndPushImages, type ImageRefs } from '../../node-agent/runtime/images.js';
import { listNetns, listProcesses, mountsUnder, removeCgroupTree } from '../../node-agent/runtime/cleanup.js';
import { run, waitFor } from '../../node-agent/runtime/proc.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (containerd, runc, CNI)';
const suffix = randomBytes(3).toString('hex');
const cgroupParent = `/flotilla-e2e-${suffix}`;
const dir = mkdtempSync('/tmp/flotilla-cri-');

let registry: Registry | undefined;
let containerd: Containerd | undefined;
let cri: CriClient;
let refs: ImageRefs;
let netnsBefore: string[] = [];
let vethsBefore = new Set<string>();
let shimSocketsBefore = new Set<string>();

/** Entries of a directory (empty when it does not exist). */
function entries(d: string): Set<string> {
  try { return new Set(readdirSync(d)); } catch { return new Set(); }
}

const podUid = `uid-${suffix}`;
const logDir = join(dir, 'logs', `default_web-1_${podUid}`);
const sandboxConfig: PodSandboxConfig = {
  metadata: { name: 'web-1', uid: podUid, namespace: 'default', attempt: 0 },
  hostname: 'web-1',
  logDirectory: logDir,
  labels: { 'io.kubernetes.pod.name': 'web-1', app: 'web' },
  linux: { cgroupParent: `${cgroupParent}/pod-${podUid}` },
};
let sandboxId = '';
let podIp = '';
let webId = '';

function containerdOptions(): ContainerdOptions {
  return {
    dataDir: join(dir, 'containerd'),
    insecureRegistries: [registry?.host ?? ''],
    sandboxImage: refs.pause,
    cni: { name: `flotilla-e2e-${suffix}`, bridge: `flte${suffix}` },
  };
}

async function veths(): Promise<Set<string>> {
  const out = (await run('ip', ['-o', 'link', 'show', 'type', 'veth'])).stdout;
  return new Set(out.split('\n').map((l) => /^\d+:\s+([^@:\s]+)/.exec(l)?.[1]).filter((n): n is string => !!n));
}

/** Processes started from our temp dir (containerd, shims, the registry unless `exceptRegistry`). */
function ourProcesses(exceptRegistry = false): string[] {
  return listProcesses()
    .filter((p) => p.argv.some((a) => a.includes(dir)) || (registry?.pid !== undefined && p.pid === registry.pid))
    .filter((p) => !(exceptRegistry && p.pid === registry?.pid))
    .map((p) => `${p.pid} ${p.argv.join(' ')}`);
}

async function teardown(): Promise<void> {
  try { cri?.close(); } catch { /* not opened */ }
  await containerd?.stop();
  await registry?.stop();
  removeCgroupTree(cgroupParent);
}

before(async () => {
  if (!isRoot) return;
  netnsBefore = await listNetns();
  vethsBefore = await veths();
  shimSocketsBefore = entries('/run/containerd/s');
  registry = await startRegistry({ dataDir: join(dir, 'registry') });
  ({ refs } = await buildAndPushImages({ registry: registry.host, workDir: join(dir, 'images') }));
  containerd = await startContainerd(containerdOptions());
  cri = containerd.client();
});

after(async () => {
  await teardown();
  if (!mountsUnder(dir).length) rmSync(dir, { recursive: true, force: true });
});

test('Version and Status: containerd speaks CRI v1 and its network is ready', { skip }, async () => {
  const v = await cri.version();
  assert.equal(v.runtimeName, 'containerd');
  assert.equal(v.runtimeApiVersion, 'v1');
  const s = await cri.status();
  const cond = Object.fromEntries((s.status?.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(cond, { RuntimeReady: true, NetworkReady: true });
});

test('PullImage from the local registry; ImageStatus and ListImages see it', { skip }, async () => {
  const ref = await cri.pullImage(refs.webV1);
  assert.match(ref, /^sha256:[0-9a-f]{64}$/);
  const img = await cri.imageStatus(refs.webV1);
  assert.equal(img?.id, ref);
  assert.ok((img?.size ?? 0) > 500_000, 'the image holds busybox');
  assert.equal(await cri.imageStatus(`${registry?.host}/flotilla/nope:v0`), null);
  const all = await cri.listImages();
  assert.ok(all.some((i) => i.repoTags.includes(refs.webV1)));
  await cri.pullImage(refs.tools);
});

test('RunPodSandbox gives the pod an IP from the CNI bridge network', { skip }, async () => {
  sandboxId = await cri.runPodSandbox(sandboxConfig);
  const st = await cri.podSandboxStatus(sandboxId);
  assert.equal(st.status?.state, 'SANDBOX_READY');
  assert.equal(st.status?.metadata?.name, 'web-1');
  podIp = st.status?.network?.ip ?? '';
  const subnet = containerd?.cni?.subnet ?? '';
  assert.ok(podIp.startsWith(subnet.split('.').slice(0, 2).join('.') + '.'), `pod IP ${podIp} is in ${subnet}`);
  const listed = await cri.listPodSandbox({ labelSelector: { app: 'web' } });
  assert.deepEqual(listed.map((s) => s.id), [sandboxId]);
});

test('CreateContainer + StartContainer: the web container runs and answers on the pod IP', { skip }, async () => {
  webId = await cri.createContainer(sandboxId, {
    metadata: { name: 'web', attempt: 0 },
    image: { image: refs.webV1 },
    envs: [{ key: 'POD_NAME', value: 'web-1' }],
    logPath: 'web/0.log',
    labels: { 'io.kubernetes.container.name': 'web' },
  }, sandboxConfig);
  assert.equal((await cri.containerStatus(webId)).status?.state, 'CONTAINER_CREATED');
  await cri.startContainer(webId);
  const st = (await cri.containerStatus(webId)).status;
  assert.equal(st?.state, 'CONTAINER_RUNNING');
  assert.ok((st?.startedAt ?? 0) > 0);
  assert.equal(st?.logPath, join(logDir, 'web/0.log'));
  const body = await waitFor('the web page on the pod IP', async () => {
    const res = await fetch(`http://${podIp}:8080/`);
    return res.ok ? res.text() : undefined;
  }, 20_000, 100);
  assert.match(body, /pod: web-1/);
  assert.match(body, /version: v1/);
  const listed = await cri.listContainers({ podSandboxId: sandboxId });
  assert.deepEqual(listed.map((c) => [c.id, c.state]), [[webId, 'CONTAINER_RUNNING']]);
});

test('ExecSync returns stdout, stderr and the exit code', { skip }, async () => {
  const r = await cri.execSync(webId, ['sh', '-c', 'echo "hello $POD_NAME"; echo oops >&2; exit 3'], 10);
  assert.equal(r.stdout.toString(), 'hello web-1\n');
  assert.equal(r.stderr.toString(), 'oops\n');
  assert.equal(r.exitCode, 3);
  const ok = await cri.execSync(webId, ['cat', '/etc/flotilla-web-version'], 10);
  assert.deepEqual([ok.exitCode, ok.stdout.toString()], [0, 'v1\n']);
});

test('container logs land in the sandbox log directory in CRI format', { skip }, async () => {
  const file = join(logDir, 'web/0.log');
  const text = await waitFor('the log line', () => {
    const t = readFileSync(file, 'utf8');
    return t.includes('serving pod web-1') ? t : undefined;
  }, 10_000);
  const first = text.split('\n')[0] ?? '';
  assert.match(first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F web v1: serving pod web-1 on :8080$/);
});

test('a container over its memory limit is OOM-killed (flotilla/tools memhog)', { skip }, async () => {
  const id = await cri.createContainer(sandboxId, {
    metadata: { name: 'hog', attempt: 0 },
    image: { image: refs.tools },
    command: ['memhog', '64'],
    logPath: 'hog/0.log',
    linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } },
  }, sandboxConfig);
  await cri.startContainer(id);
  const st = await waitFor('the hog to exit', async () => {
    const s = (await cri.containerStatus(id)).status;
    return s?.state === 'CONTAINER_EXITED' ? s : undefined;
  }, 30_000, 100);
  assert.equal(st.reason, 'OOMKilled');
  assert.equal(st.exitCode, 137);
  await cri.removeContainer(id);
});

test('a hostNetwork sandbox shares the node network namespace; the tools image idles until SIGTERM', { skip }, async () => {
  const cfg: PodSandboxConfig = {
    metadata: { name: 'host-1', uid: `host-${suffix}`, namespace: 'kube-system' },
    logDirectory: join(dir, 'logs', `kube-system_host-1_host-${suffix}`),
    linux: { cgroupParent: `${cgroupParent}/pod-host-${suffix}`, securityContext: { namespaceOptions: { network: 'NODE' } } },
  };
  const sid = await cri.runPodSandbox(cfg);
  const cid = await cri.createContainer(sid, { metadata: { name: 'tools' }, image: { image: refs.tools }, logPath: 'tools/0.log' }, cfg);
  await cri.startContainer(cid);
  const ns = await cri.execSync(cid, ['readlink', '/proc/self/ns/net'], 10);
  assert.equal(ns.stdout.toString().trim(), readlinkSync('/proc/self/ns/net'));
  await cri.stopContainer(cid, 30);
  const st = (await cri.containerStatus(cid)).status;
  assert.deepEqual([st?.state, st?.exitCode], ['CONTAINER_EXITED', 0]);
  assert.ok(((st?.finishedAt ?? 0) - (st?.startedAt ?? 0)) / 1e9 < 25, 'stopped by SIGTERM, not by the SIGKILL after the grace period');
  await cri.stopPodSandbox(sid);
  await cri.removePodSandbox(sid);
});

test('StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox', { skip }, async () => {
  await cri.stopContainer(webId, 10);
  const st = (await cri.containerStatus(webId)).status;
  assert.equal(st?.state, 'CONTAINER_EXITED');
  assert.equal(st?.exitCode, 0, 'the web container exits 0 on SIGTERM');
  assert.ok((st?.finishedAt ?? 0) >= (st?.startedAt ?? 0));
  await cri.removeContainer(webId);
  await assert.rejects(cri.containerStatus(webId), (e) => isNotFound(e));
  await cri.stopPodSandbox(sandboxId);
  assert.equal((await cri.podSandboxStatus(sandboxId)).status?.state, 'SANDBOX_NOTREADY');
  await cri.removePodSandbox(sandboxId);
  await cri.removePodSandbox(sandboxId); // idempotent
  assert.deepEqual(await cri.listPodSandbox(), []);
});

async function assertNothingLeft(what: string, registryRunning = false): Promise<void> {
  assert.deepEqual(ourProcesses(registryRunning), [], `${what}: no process of ours`);
  assert.deepEqual(mountsUnder(dir), [], `${what}: no mount under ${dir}`);
  assert.deepEqual(await listNetns(), netnsBefore, `${what}: no new network namespace`);
  const leftVeths = [...(await veths())].filter((v) => !vethsBefore.has(v));
  assert.deepEqual(leftVeths, [], `${what}: no veth`);
  const bridge = await run('ip', ['link', 'show', `flte${suffix}`]);
  assert.notEqual(bridge.code, 0, `${what}: the bridge is gone`);
  const nat = (await run('iptables-save', ['-t', 'nat'])).stdout;
  assert.ok(!nat.includes(`flotilla-e2e-${suffix}`), `${what}: no NAT rule of our network remains`);
  const cniCache = [...entries('/var/lib/cni/results')].filter((f) => f.startsWith(`flotilla-e2e-${suffix}-`));
  assert.deepEqual(cniCache, [], `${what}: no cached CNI result of our network`);
  // shim sockets that appeared during the test and nobody listens on (other runtimes on the machine may add live ones)
  const listening = (await run('ss', ['-xlnH'])).stdout;
  const stale = [...entries('/run/containerd/s')].filter((f) => !shimSocketsBefore.has(f) && !listening.includes(f));
  assert.deepEqual(stale, [], `${what}: no stale shim socket in /run/containerd/s`);
}

/** Starts a pod with an idle tools container and leaves it running. */
async function leavePodRunning(name: string): Promise<void> {
  const cfg: PodSandboxConfig = { ...sandboxConfig, metadata: { ...sandboxConfig.metadata, name, uid: `${name}-${suffix}` }, hostname: name };
  const sid = await cri.runPodSandbox(cfg);
  const cid = await cri.createContainer(sid, { metadata: { name: 'idle' }, image: { image: refs.tools }, logPath: 'idle/0.log' }, cfg);
  await cri.startContainer(cid);
  assert.ok(mountsUnder(dir).length > 0, 'the pod has mounts while running');
  assert.ok(((await cri.podSandboxStatus(sid)).status?.network?.ip ?? '') !== '');
}

test('after containerd crashes, stop() still removes its containers, shims, mounts and pod network; a restart works', { skip }, async () => {
  await leavePodRunning('crash-1');
  const pid = containerd?.pid ?? 0;
  process.kill(pid, 'SIGKILL');
  await waitFor('containerd to die', () => !listProcesses().some((p) => p.pid === pid && p.argv.length > 0));
  await containerd?.stop();
  await assertNothingLeft('after a crash', true);
  // the same data dir serves again: containerd recovers the dead sandbox's record, the node agent can remove it
  cri.close();
  containerd = await startContainerd(containerdOptions());
  cri = containerd.client();
  const recovered = await cri.listPodSandbox();
  assert.deepEqual(recovered.map((s) => [s.metadata?.name, s.state]), [['crash-1', 'SANDBOX_NOTREADY']]);
});

test('teardown drains running pods and leaves no process, mount, network namespace or veth behind', { skip }, async () => {
  await leavePodRunning('left-1');
  await teardown();
  await assertNothingLeft('after teardown');
});
