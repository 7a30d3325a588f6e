// The controller-manager: every controller in one process over one set of shared informers. It runs only while
// this process holds the leader lease (see cli/component.ts); losing it ends the process, as in Kubernetes.
import { SharedInformerFactory, type Client, type Reconciler } from '../lib/client/index.js';
import { ControllerContext, DEFAULT_OPTIONS, type ControllerOptions } from './context.js';
import { TokenCleaner } from './bootstraptoken/cleaner.js';
import { CSRApprovingController } from './certificates/approver.js';
import { CSRCleaner } from './certificates/cleaner.js';
import { CSRSigningController } from './certificates/signer.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/index.js';
import { DisruptionController } from './disruption/controller.js';
import { ClusterRoleAggregationController } from './clusterroleaggregation/controller.js';
import { CronJobController } from './cronjob/controller.js';
import { JobController } from './job/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { NamespaceController } from './namespace/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { RootCACertPublisher } from './rootcacertpublisher/controller.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { ServiceAccountTokensController } from './serviceaccount/tokens.js';
import { ServiceLBController } from './servicelb/controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { DEFAULT_AUTOSCALER, HorizontalPodAutoscalerController } from './podautoscaler/controller.js';
import { ResourceQuotaController } from './resourcequota/controller.js';
import { PersistentVolumeBinder } from './volume/binder.js';
import { StorageProtectionController } from './volume/protection.js';

export async function runControllers(client: Client, signal: AbortSignal, options: Partial<ControllerOptions> = {}): Promise<void> {
  const opts = { ...DEFAULT_OPTIONS, ...options };
  const informers = new SharedInformerFactory(client);
  const ctx = new ControllerContext(client, informers, opts);
  const controllers: Reconciler[] = [
    new DeploymentController(ctx),
    new ReplicaSetController(ctx),
    new DaemonSetController(ctx),
    new DisruptionController(ctx),
    new StatefulSetController(ctx),
    new PersistentVolumeBinder(ctx),
    new StorageProtectionController(ctx),
    new JobController(ctx),
    new CronJobController(ctx),
    new GarbageCollector(ctx),
    new NamespaceController(ctx),
    new NodeLifecycleController(ctx),
    new EndpointSliceController(ctx),
    new ServiceLBController(ctx),
    new ServiceAccountsController(ctx),
    new ClusterRoleAggregationController(ctx),
    new TokenCleaner(ctx),
    new CSRApprovingController(ctx),
    new CSRCleaner(ctx),
    new ResourceQuotaController(ctx),
    new HorizontalPodAutoscalerController(ctx, { ...DEFAULT_AUTOSCALER, syncPeriodMs: opts.horizontalPodAutoscalerSyncPeriodMs,
      downscaleStabilizationMs: opts.horizontalPodAutoscalerDownscaleStabilizationMs }),
  ];
  // the CA pods are given to verify the API server: --root-ca-file, else the one this process trusts it with
  const rootCA = opts.rootCA ?? client.config.caData?.toString('utf8');
  if (rootCA) controllers.push(new RootCACertPublisher(ctx, rootCA));
  if (opts.clusterSigning) {
    const { loadCA } = await import('../apiserver/auth/pki.js');
    controllers.push(new CSRSigningController(ctx, await loadCA(opts.clusterSigning.cert, opts.clusterSigning.key), opts.clusterSigningDurationMs));
  }
  if (opts.nodeIpam) controllers.push(new NodeIpamController(ctx, opts.nodeIpam));
  if (opts.serviceAccountPrivateKey) controllers.push(new ServiceAccountTokensController(ctx, opts.serviceAccountPrivateKey, rootCA));
  try {
    await Promise.all(controllers.map((c) => c.run(opts.workers, signal)));
  } finally {
    informers.stop();
    await ctx.flushEvents();
  }
}
