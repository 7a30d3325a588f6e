// Which describer prints which kind; kinds without their own get kubectl's generic field list.
import type { KindInfo } from '../../../lib/api/kinds.js';
import { describeConfigMap, describeEndpoints, describeNamespace, describeSecret, describeService } from './core.js';
import type { Describer } from './events.js';
import { describeGeneric } from './generic.js';
import { describeNode } from './node.js';
import { describePod } from './pod.js';
import { describeDeployment, describeReplicaSet } from './workloads.js';

export type { Describer, Env } from './events.js';

const BY_KIND: Record<string, Describer> = {
  '/Pod': describePod,
  '/Service': describeService,
  '/Endpoints': describeEndpoints,
  '/Node': describeNode,
  '/Namespace': describeNamespace,
  '/ConfigMap': describeConfigMap,
  '/Secret': describeSecret,
  'apps/Deployment': describeDeployment,
  'apps/ReplicaSet': describeReplicaSet,
};

export const describerFor = (k: KindInfo): Describer => BY_KIND[`${k.group}/${k.kind}`] ?? describeGeneric;
