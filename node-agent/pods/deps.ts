// What the pod workers work with: the API client, the runtime, the managers that outlive one sync (images, volumes,
// probes, termination messages, back-offs) and the node's facts.
import type { KubeObject } from '../../lib/api/types.js';
import type { Client } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { CriClient } from '../cri/client.js';
import type { NodeDnsSettings } from '../network/dns/resolvconf.js';
import type { Backoff } from './backoff.js';
import type { PodCgroups } from './cgroups.js';
import type { ImagePuller } from './images.js';
import type { PodObjects } from './objects.js';
import type { ProbeManager } from './probes/manager.js';
import type { NodeAllocatable } from './resources.js';
import type { TerminationMessages } from './termination.js';
import type { VolumeManager } from './volumes/manager.js';

export interface SyncDeps {
  client: Client;
  cri: CriClient;
  images: ImagePuller;
  restarts: Backoff;
  nodeName: string;
  hostIP: string;
  logRoot: string;
  /** The status last written per pod uid, so unchanged status isn't written again. */
  lastStatus: Map<string, string>;
  startTimes: Map<string, string>;
  /** Events as the kubelet records them (Created, Started, Failed, BackOff, Unhealthy, Killing, ...). */
  recorder: EventRecorder;
  /** ConfigMaps, Secrets and ServiceAccounts the pods refer to. */
  objects: PodObjects;
  volumes: VolumeManager;
  probes: ProbeManager;
  messages: TerminationMessages;
  allocatable: NodeAllocatable;
  /** The cluster DNS settings for resolv.conf (no cluster DNS yet: ClusterFirst falls back to the node's). */
  dns: NodeDnsSettings;
  /** Pods the agent decided to evict (uid -> message), e.g. an emptyDir over its sizeLimit. */
  evictions: Map<string, string>;
  /** The Services known to the agent, for the containers' KUBERNETES_SERVICE_HOST and the like (none when unset). */
  services?: () => readonly KubeObject[];
  /** The pods' cgroup hierarchy (kubepods under --cgroup-root); absent: containerd's default cgroup (fakes, tests). */
  cgroups?: PodCgroups;
}
