// syncPod: one pass that moves one pod's volumes, sandbox and containers toward its spec, as the kubelet's syncPod
// does: volumes first (a missing ConfigMap or Secret holds the pod in ContainerCreating with FailedMount), then the
// sandbox (resolv.conf, /etc/hosts), then the init containers in order (each to completion; sidecars started and
// kept running), then the app containers, then ephemeral containers; probes feed readiness; one status write when
// something changed. Level-based: it reads the pod (from the informer) and the runtime's state (by our labels)
// every time, so it is safe after a crash or an agent restart and never starts a duplicate. It returns when to
// look again, if ever. Deletion stops the app containers (preStop hooks inside the grace period), then the
// sidecars, last first, then removes the sandbox and the pod's volumes.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound } from '../../lib/client/index.js';
import { rfc3339 } from '../../lib/api/time.js';
import { logger } from '../../lib/util/log.js';
import type { Container, PodSandbox } from '../cri/types.js';
import { podDnsConfig } from '../network/dns/resolvconf.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, sandboxConfig } from './config.js';
import { MIN_GRACE_SECONDS, event, instancesOf, killContainer, observeContainer, shouldRestart, syncContainer, type PodContext } from './containers.js';
import type { SyncDeps } from './deps.js';
import { writeHostsFile } from './hosts.js';
import type { RunningContainer } from './probes/manager.js';
import { isSidecar, podDesc, specOf, type ContainerSpec } from './spec.js';
import { podStatus, type ObservedContainer, type ObservedPod } from './status.js';
import { hostsFilePath } from './volumes/paths.js';

export type { SyncDeps } from './deps.js';

const log = logger('node-agent');
const POD = findByKind('v1', 'Pod')!;

/** While a regular init container has run less than this, the pod is looked at every INIT_POLL_MS. */
const INIT_POLL_FOR_MS = 3000;
const INIT_POLL_MS = 200;

const nowTime = (): string => rfc3339();

/**
 * Stops a pod's containers in the kubelet's order - app and ephemeral containers together (each running its
 * preStop hook first), then the sidecars, last defined first - within one grace period; `only` limits it to some.
 */
export async function killPodContainers(d: SyncDeps, uid: string, pod: KubeObject | undefined, graceSeconds: number, podIP?: string,
  only?: (c: Container) => boolean): Promise<void> {
  const running = (await d.cri.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } })).filter((c) => c.state === 'CONTAINER_RUNNING' && (!only || only(c)));
  if (!running.length) return;
  const spec = pod ? specOf(pod) : undefined;
  const byName = new Map<string, ContainerSpec>([...(spec?.ephemeralContainers ?? []), ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? [])].map((c) => [c.name, c]));
  const sidecars = (spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name);
  const deadline = Date.now() + graceSeconds * 1000;
  const left = () => Math.max(0, (deadline - Date.now()) / 1000);
  const name = (c: Container) => c.labels[LABEL_CONTAINER_NAME] as string;
  const kill = (c: Container) => killContainer(d, pod, byName.get(name(c)), c.id, left(), pod ? `Stopping container ${name(c)}` : undefined, podIP);
  await Promise.all(running.filter((c) => !sidecars.includes(name(c))).map(kill));
  for (const s of [...sidecars].reverse()) for (const c of running.filter((x) => name(x) === s)) await kill(c);
}

/** Stops and removes everything a pod has on the node: containers (in order, with grace), sandboxes, volumes. */
export async function teardown(d: SyncDeps, uid: string, pod: KubeObject | undefined, graceSeconds: number): Promise<void> {
  await killPodContainers(d, uid, pod, graceSeconds, pod?.status?.podIP as string | undefined);
  d.probes.removePod(uid);
  const sandboxes = await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } });
  for (const s of sandboxes) {
    await d.cri.stopPodSandbox(s.id);
    await d.cri.removePodSandbox(s.id); // removes its containers too
  }
  // nothing of the pod runs any more: its cgroup goes, and burstable's shares no longer count it
  d.cgroups?.removePod(uid);
  d.cgroups?.updateQOS();
  await d.volumes.teardown(uid);
  d.restarts.forgetPrefix(`${uid}/`);
  d.images.forget(uid);
  d.lastStatus.delete(uid);
  d.startTimes.delete(uid);
  d.evictions.delete(uid);
}

/** Returns milliseconds until this pod should be synced again (undefined = only on the next change). */
export async function syncPod(d: SyncDeps, uid: string, pod: KubeObject | undefined): Promise<number | undefined> {
  if (!pod) {
    await teardown(d, uid, undefined, MIN_GRACE_SECONDS);
    return undefined;
  }
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  if (pod.metadata.deletionTimestamp) {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await teardown(d, uid, pod, grace);
    try {
      await d.client.delete(POD, name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid } });
      log.info('pod deleted', { pod: `${ns}/${name}` });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    return undefined;
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    // terminal: nothing runs any more, and its volumes go (the pod object stays until it is deleted)
    const sandboxes = await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } });
    for (const s of sandboxes) if (s.state === 'SANDBOX_READY') await d.cri.stopPodSandbox(s.id);
    d.cgroups?.removePod(uid);
    d.cgroups?.updateQOS();
    d.probes.removePod(uid);
    d.evictions.delete(uid);
    await d.volumes.teardown(uid);
    return undefined;
  }
  return syncRunning(d, pod);
}

async function syncRunning(d: SyncDeps, pod: KubeObject): Promise<number | undefined> {
  const uid = pod.metadata.uid as string;
  const spec = specOf(pod);
  let again: number | undefined;
  const later = (ms: number) => {
    again = again === undefined ? ms : Math.min(again, ms);
  };
  if (!d.startTimes.has(uid)) d.startTimes.set(uid, (pod.status?.startTime as string | undefined) ?? nowTime());
  const base = { hostIP: d.hostIP, startTime: d.startTimes.get(uid) as string, restartPolicy: spec.restartPolicy, messageOf: (s: Parameters<NonNullable<ObservedPod['messageOf']>>[0]) => d.messages.of(s) };

  // the kubelet mounts every volume before it creates the sandbox
  const setup = await d.volumes.setup(pod, { nodeName: d.nodeName, hostIP: d.hostIP, podIP: pod.status?.podIP as string | undefined,
    allocatable: d.allocatable });
  if (setup.errors.length) {
    for (const e of setup.errors) event(d, pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${e.volume}" : ${e.message}`);
    // a ConfigMap or Secret that appears wakes the pod at once (informers); this is the fallback
    later(d.restarts.next(`${uid}/volumes`));
    // a pod not started yet waits for its volumes; one running goes on with what its volumes had
    const started = (await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } })).some((s) => s.state === 'SANDBOX_READY');
    if (!started) {
      const none = (c: ContainerSpec): ObservedContainer => ({ name: c.name, image: c.image, restartCount: 0 });
      await writeStatus(d, pod, podStatus(pod, { ...base, sandboxReady: false, initContainers: spec.initContainers.map(none),
        containers: spec.containers.map(none), initialized: !spec.initContainers.length }));
      return again;
    }
  } else d.restarts.reset(`${uid}/volumes`);

  const { sandbox, config } = await ensureSandbox(d, pod);
  const sbStatus = (await d.cri.podSandboxStatus(sandbox.id)).status;
  const podIP = pod.spec?.hostNetwork ? d.hostIP : sbStatus?.network?.ip || undefined;
  const hostsFile = hostsFilePath(d.volumes.podsDir, uid);
  writeHostsFile(hostsFile, pod, podIP, d.dns.clusterDomain);
  const ctx: PodContext = { d, pod, sandbox, sandboxConfig: config, podIP, volumes: setup.volumes,
    all: await d.cri.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } }), hostsFile, later };

  const evicting = d.evictions.get(uid);
  if (evicting !== undefined) await killPodContainers(d, uid, pod, 0, podIP);
  // the app containers all ended and none will be restarted: the pod is done, nothing starts again (not even a
  // sidecar that exited), and what still runs is stopped below
  const finished = spec.restartPolicy !== 'Always' && spec.containers.length > 0 && (await Promise.all(spec.containers.map((c) => observeContainer(ctx, c))))
    .every((o) => o.current?.state === 'CONTAINER_EXITED' && !shouldRestart(spec.restartPolicy, o.current.exitCode));
  // an evicted or finished pod only reports how its containers ended
  const step = (c: ContainerSpec, kind: Parameters<typeof syncContainer>[2]) => (evicting !== undefined || finished ? observeContainer(ctx, c)
    : syncContainer(ctx, c, kind));

  // init containers, in order: each must complete (a sidecar: start) before the next; once the app containers have
  // run, the pod stays initialized (regular init containers are not run again, sidecars are kept running)
  const appStarted = spec.containers.some((c) => instancesOf(ctx, c.name).length > 0);
  const init: ObservedContainer[] = [];
  let blocked = false;
  for (const c of spec.initContainers) {
    if (blocked || (appStarted && !isSidecar(c))) {
      init.push(await observeContainer(ctx, c));
      continue;
    }
    if (isSidecar(c)) {
      const o = await step(c, 'sidecar');
      init.push(o);
      if (!appStarted && !(o.current?.state === 'CONTAINER_RUNNING' && !o.waiting && o.started)) blocked = true;
      continue;
    }
    const seen = await observeContainer(ctx, c);
    const done = (o: ObservedContainer) => !o.waiting && o.current?.state === 'CONTAINER_EXITED' && o.current.exitCode === 0;
    const o = done(seen) ? seen : await step(c, 'init');
    init.push(o);
    if (!done(o)) blocked = true;
    // most init containers are done in a moment: look again soon rather than wait for the next relist (1 s), so
    // the next one (or the app) starts right after
    if (o.current?.state === 'CONTAINER_RUNNING' && Date.now() - o.current.startedAt / 1e6 < INIT_POLL_FOR_MS) later(INIT_POLL_MS);
  }
  const initialized = !blocked;
  const containers: ObservedContainer[] = [];
  for (const c of spec.containers) containers.push(initialized ? await step(c, 'app') : await observeContainer(ctx, c));
  const ephemeral: ObservedContainer[] = [];
  for (const c of spec.ephemeralContainers) ephemeral.push(initialized ? await step(c, 'ephemeral') : await observeContainer(ctx, c));

  const running: RunningContainer[] = [];
  const specs = new Map([...spec.initContainers, ...spec.containers].map((c) => [c.name, c]));
  for (const o of [...init, ...containers]) if (o.current?.state === 'CONTAINER_RUNNING' && !o.waiting) running.push({ spec: specs.get(o.name) as ContainerSpec, id: o.current.id, startedAtMs: o.current.startedAt / 1e6 });
  d.probes.sync(pod, evicting !== undefined ? [] : running, podIP);

  const observed = (): ObservedPod => ({ ...base, sandboxReady: sbStatus?.state === 'SANDBOX_READY', podIP, initContainers: init, containers, ephemeralContainers: ephemeral, initialized });
  await withImageIDs(d, [...init, ...containers, ...ephemeral]);
  let status = podStatus(pod, observed());
  // every app container ended and none will be restarted (or the pod failed): the pod is done, and the sidecars
  // (and any ephemeral container), which would otherwise keep it running, stop now, gracefully
  const appDone = spec.restartPolicy !== 'Always' && containers.length > 0 && containers.every((o) => !o.waiting && o.current?.state === 'CONTAINER_EXITED' && !shouldRestart(spec.restartPolicy, o.current.exitCode));
  if ((appDone || status.phase === 'Succeeded' || status.phase === 'Failed') && ephemeral.concat(init).some((o) => o.current?.state === 'CONTAINER_RUNNING')) {
    await killPodContainers(d, uid, pod, (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30, podIP);
    for (const [i, c] of spec.initContainers.entries()) init[i] = await observeContainer(ctx, c);
    for (const [i, c] of spec.ephemeralContainers.entries()) ephemeral[i] = await observeContainer(ctx, c);
    await withImageIDs(d, [...init, ...ephemeral]);
    status = podStatus(pod, observed());
  }
  if (evicting !== undefined) status = evictedStatus(d, pod, status, evicting);
  await writeStatus(d, pod, status);
  return again;
}

/** Sets each observed container's imageID to the digest in its own image's repository (ImagePuller.imageID). */
async function withImageIDs(d: SyncDeps, observed: ObservedContainer[]): Promise<void> {
  for (const o of observed) if (o.current?.imageRef) o.imageID = await d.images.imageID(o.image, o.current.imageRef);
}

/** The status of a pod the agent evicts: Failed, reason Evicted, a DisruptionTarget condition. */
function evictedStatus(d: SyncDeps, pod: KubeObject, status: Record<string, unknown>, message: string): Record<string, unknown> {
  if (pod.status?.reason !== 'Evicted') event(d, pod, 'Warning', 'Evicted', message);
  const now = nowTime();
  const conditions = (status.conditions as Array<{ type: string }>).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastProbeTime: null, lastTransitionTime: now } as { type: string });
  return { ...status, phase: 'Failed', reason: 'Evicted', message, conditions };
}

/** Whether the pod as the API has it shows each of these conditions with the same status. */
function conditionsShown(pod: KubeObject, status: Record<string, unknown>): boolean {
  const have = (pod.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [];
  const want = (status.conditions as Array<{ type: string; status: string }> | undefined) ?? [];
  return want.every((w) => have.some((h) => h.type === w.type && h.status === w.status));
}

/**
 * Writes the status when it differs from the last one written (transition times aside), or when the API's copy shows
 * a condition otherwise: the node lifecycle controller marks a silent node's pods not ready, and once the node is
 * back its agent sets what it sees again, as the kubelet's status manager does against the API's copy.
 */
async function writeStatus(d: SyncDeps, pod: KubeObject, status: Record<string, unknown>): Promise<void> {
  const uid = pod.metadata.uid as string;
  const text = JSON.stringify(status, (k, v) => (k === 'lastTransitionTime' ? undefined : v));
  if (d.lastStatus.get(uid) === text && conditionsShown(pod, status)) return;
  await d.client.patchStatus(POD, pod.metadata.name as string, { status }, 'merge', { namespace: pod.metadata.namespace as string });
  d.lastStatus.set(uid, text);
}

async function ensureSandbox(d: SyncDeps, pod: KubeObject): Promise<{ sandbox: PodSandbox; config: ReturnType<typeof sandboxConfig> }> {
  const uid = pod.metadata.uid as string;
  const dns = podDnsConfig({ namespace: pod.metadata.namespace as string, dnsPolicy: pod.spec?.dnsPolicy, hostNetwork: !!pod.spec?.hostNetwork,
    dnsConfig: pod.spec?.dnsConfig }, d.dns);
  const extras = { dns: { servers: dns.servers, searches: dns.searches, options: dns.options }, clusterDomain: d.dns.clusterDomain };
  const sandboxes = (await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } })).sort((a, b) => b.createdAt - a.createdAt);
  const ready = sandboxes.find((s) => s.state === 'SANDBOX_READY');
  if (ready) {
    for (const s of sandboxes) if (s !== ready) await d.cri.removePodSandbox(s.id).catch(() => undefined);
    // the same cgroup parent the sandbox was run with (the QoS class of a pod never changes): its new containers
    // join the pod's cgroup
    return { sandbox: ready, config: sandboxConfig(pod, d.logRoot, ready.metadata?.attempt ?? 0, { ...extras, cgroupParent: d.cgroups?.podCgroup(pod) }) };
  }
  // no ready sandbox (first run, or the old one died): start over with a new one, as the kubelet does
  for (const s of sandboxes) {
    await d.cri.stopPodSandbox(s.id);
    await d.cri.removePodSandbox(s.id);
  }
  for (const w of dns.warnings) {
    const missing = w.startsWith('kubelet does not have ClusterDNS');
    event(d, pod, 'Warning', missing ? 'MissingClusterDNS' : 'DNSConfigForming', missing ? `pod: "${podDesc(pod)}". ${w}` : w);
  }
  const attempt = sandboxes.length ? Math.max(...sandboxes.map((s) => s.metadata?.attempt ?? 0)) + 1 : 0;
  // the pod's cgroup, with its cpu shares, before anything of the pod runs in it (as the kubelet creates it)
  const config = sandboxConfig(pod, d.logRoot, attempt, { ...extras, cgroupParent: d.cgroups?.ensurePod(pod) });
  const id = await d.cri.runPodSandbox(config);
  log.info('sandbox started', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, sandbox: id.slice(0, 12) });
  const [sb] = await d.cri.listPodSandbox({ id });
  if (!sb) throw new Error(`sandbox ${id} vanished right after it was created`);
  return { sandbox: sb, config };
}
