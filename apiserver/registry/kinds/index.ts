// Every kind's strategy. A new kind adds one line here (and its entry in lib/api/kinds.ts and its schema).
import { KINDS, type KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { simpleStrategy, type Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { secretStrategy } from './secrets.js';
import { serviceStrategy } from './services.js';

const emptyStatus = (obj: KubeObject) => {
  obj.status = {};
};

const workload = (k: KindInfo): Strategy => simpleStrategy(k, { statusSubresource: true, generation: true, prepareForCreate: emptyStatus });

const BY_RESOURCE: Record<string, (k: KindInfo) => Strategy> = {
  namespaces: namespaceStrategy,
  nodes: (k) => simpleStrategy(k, { statusSubresource: true }),
  pods: podStrategy,
  services: serviceStrategy,
  secrets: secretStrategy,
  deployments: workload,
  replicasets: workload,
};

export function strategies(): Strategy[] {
  return KINDS.map((k) => (BY_RESOURCE[k.resource] ?? simpleStrategy)(k));
}
