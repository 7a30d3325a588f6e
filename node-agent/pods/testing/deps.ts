// SyncDeps for unit tests: the fake runtime, an API client (the fake API server's, or a stub), volumes in a temp
// directory with a mounter that only records tmpfs mounts, probes whose actions the test decides, events kept in
// a list. Used by the unit tests only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Client } from '../../../lib/client/index.js';
import type { EventRecorder } from '../../../lib/client/events.js';
import type { CriClient } from '../../cri/client.js';
import { Backoff } from '../backoff.js';
import type { SyncDeps } from '../deps.js';
import { ImagePuller } from '../images.js';
import { ClientObjects, type PodObjects } from '../objects.js';
import type { ActionOutcome, ActionTarget } from '../probes/actions.js';
import { ProbeManager } from '../probes/manager.js';
import type { Probe } from '../spec.js';
import { TerminationMessages } from '../termination.js';
import { VolumeManager } from '../volumes/manager.js';
import type { Mounter } from '../volumes/mounter.js';

/** Records tmpfs mounts instead of making them. */
export class FakeMounter implements Mounter {
  readonly mounts = new Map<string, number | undefined>();
  async mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
    this.mounts.set(dir.replace(/\/+$/, ''), sizeBytes);
  }
  isMountPoint(dir: string): boolean {
    return this.mounts.has(dir.replace(/\/+$/, ''));
  }
  mountsUnder(dir: string): string[] {
    const base = dir.replace(/\/+$/, '');
    return [...this.mounts.keys()].filter((m) => m === base || m.startsWith(`${base}/`));
  }
  async unmountAllUnder(dir: string): Promise<string[]> {
    const gone = this.mountsUnder(dir);
    for (const m of gone) this.mounts.delete(m);
    return gone;
  }
}

export interface TestDeps {
  deps: SyncDeps;
  events: string[];
  mounter: FakeMounter;
  /** Uids whose probe results changed (the agent would sync them). */
  probeChanges: string[];
  /** Decides each probe's outcome (default: success). */
  probe: { run: (t: ActionTarget, p: Probe) => Promise<ActionOutcome> };
  podsDir: string;
  cleanup(): void;
}

export function testDeps(o: { client: Client; cri: CriClient; objects?: PodObjects; images?: ImagePuller; recorder?: EventRecorder }): TestDeps {
  const podsDir = mkdtempSync(join(tmpdir(), 'flotilla-pods-unit-'));
  const events: string[] = [];
  const probeChanges: string[] = [];
  const mounter = new FakeMounter();
  const probe = { run: async (): Promise<ActionOutcome> => ({ result: 'success', output: '' }) } as TestDeps['probe'];
  const recorder = o.recorder ?? ({ event: (_o: KubeObject, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder);
  const objects = o.objects ?? new ClientObjects(o.client);
  const allocatable = { cpu: 2, memory: 8 * 2 ** 30, 'ephemeral-storage': 100 * 2 ** 30 };
  const probes = new ProbeManager({
    cri: o.cri,
    onChange: (uid) => void probeChanges.push(uid),
    record: (p, type, reason, message) => recorder.event({ ...p, apiVersion: 'v1', kind: 'Pod' }, type, reason, message),
    agentStartMs: 0,
    run: (t, p) => probe.run(t, p),
  });
  const deps: SyncDeps = {
    client: o.client,
    cri: o.cri,
    images: o.images ?? new ImagePuller(o.cri),
    restarts: new Backoff(),
    nodeName: 'node-1',
    hostIP: '192.0.2.10',
    logRoot: join(podsDir, 'logs'),
    lastStatus: new Map(),
    startTimes: new Map(),
    recorder,
    objects,
    volumes: new VolumeManager({ podsDir: join(podsDir, 'pods'), objects, mounter, allocatable }),
    probes,
    messages: new TerminationMessages(),
    allocatable,
    dns: { clusterDNS: [], clusterDomain: 'cluster.local', hostResolvConf: 'nameserver 192.0.2.53\nsearch example.internal\n' },
    evictions: new Map(),
  };
  return { deps, events, mounter, probeChanges, probe, podsDir, cleanup: () => { probes.stop(); rmSync(podsDir, { recursive: true, force: true }); } };
}
