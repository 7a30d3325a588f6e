// What every controller gets from the controller-manager: the API client, the shared informers (one list+watch
// per kind for the whole process), an event recorder and the tunables.
import type { Client, SharedInformerFactory } from '../lib/client/index.js';
import { EventRecorder } from '../lib/client/events.js';
import type { NodeIpamConfig } from './nodeipam/config.js';

export interface ControllerOptions {
  /** A node whose Lease hasn't been renewed for this long becomes Ready=Unknown (node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** How often the node lifecycle controller looks at leases (node-monitor-period). */
  nodeMonitorPeriodMs: number;
  /** tolerationSeconds given to pods that don't tolerate not-ready/unreachable themselves (default-*-toleration-seconds). */
  defaultTolerationSeconds: number;
  /** Workers per controller (concurrent-*-syncs). */
  workers: number;
  /** How often each HorizontalPodAutoscaler is looked at (--horizontal-pod-autoscaler-sync-period). */
  horizontalPodAutoscalerSyncPeriodMs: number;
  /** The scale-down stabilization window of HPAs that set none (--horizontal-pod-autoscaler-downscale-stabilization). */
  horizontalPodAutoscalerDownscaleStabilizationMs: number;
  /** The CA published in every namespace's kube-root-ca.crt (--root-ca-file); default: the kubeconfig's. */
  rootCA?: string;
  /** --service-account-private-key-file's PEM: legacy token Secrets get their tokens (serviceaccount/tokens.ts). */
  serviceAccountPrivateKey?: string;
  /** The CA that signs approved CertificateSigningRequests (--cluster-signing-cert-file/--cluster-signing-key-file, PEM); none: nothing is signed. */
  clusterSigning?: { cert: string; key: string };
  /** The longest certificate the signer issues (--cluster-signing-duration). */
  clusterSigningDurationMs: number;
  /** --allocate-node-cidrs with its --cluster-cidr and mask sizes: nodes get spec.podCIDRs (nodeipam/). */
  nodeIpam?: NodeIpamConfig;
}

export const DEFAULT_OPTIONS: ControllerOptions = {
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  defaultTolerationSeconds: 300,
  workers: 5,
  horizontalPodAutoscalerSyncPeriodMs: 15_000,
  horizontalPodAutoscalerDownscaleStabilizationMs: 300_000,
  clusterSigningDurationMs: 365 * 24 * 3600_000,
};

export class ControllerContext {
  private readonly recorders = new Map<string, EventRecorder>();

  constructor(
    readonly client: Client,
    readonly informers: SharedInformerFactory,
    readonly options: ControllerOptions = DEFAULT_OPTIONS,
  ) {}

  recorder(component: string): EventRecorder {
    let r = this.recorders.get(component);
    if (!r) this.recorders.set(component, (r = new EventRecorder(this.client, component)));
    return r;
  }

  async flushEvents(): Promise<void> {
    await Promise.all([...this.recorders.values()].map((r) => r.flush()));
  }
}
