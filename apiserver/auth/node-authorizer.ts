// The Node authorizer (Kubernetes' "Node" authorization mode, with the part of the NodeRestriction admission plugin
// that the request's path decides): a node agent, user `system:node:<name>` in group `system:nodes`, may read a
// Secret, ConfigMap or ServiceAccount token only when a pod bound to it uses that object; may
// write only its own Node, its own Lease and the pods bound to it; and may read what a node agent needs to run pods,
// proxy Services, answer DNS and provision local volumes. Every other user gets "no opinion" (RBAC decides).
import { referencedObjects, type PodReferences } from '../../lib/api/pod-refs.js';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { CacheEvent, ResourceCache } from '../storage/cache.js';
import { NODES_GROUP } from './rbac/bootstrap-policy.js';
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from './index.js';

const log = logger('apiserver');

const NODE_USER_PREFIX = 'system:node:';
/** Where node leases live. */
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, or undefined when it is no node (both the name prefix and the group are needed). */
export function nodeOf(u: UserInfo): string | undefined {
  if (!u.username.startsWith(NODE_USER_PREFIX) || !u.groups.includes(NODES_GROUP)) return undefined;
  const name = u.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

interface BoundPod extends PodReferences {
  node: string;
}

/**
 * Which pods are bound to which node, and what each uses, kept current from the pods' watch cache (one event at a
 * time, no request to etcd). Kubernetes keeps the same relationships as a graph.
 */
export class NodeGraph {
  /** `namespace/name` -> the pod's node and references, for bound pods only. */
  private readonly pods = new Map<string, BoundPod>();
  /** node -> the `namespace/name` of its pods. */
  private readonly byNode = new Map<string, Set<string>>();
  private stopped = false;

  constructor(private readonly cache: ResourceCache) {
    this.rebuild();
  }

  stop(): void {
    this.stopped = true;
  }

  /** The node a pod is bound to ('' when unbound or unknown). */
  nodeOf(namespace: string, name: string): string {
    return this.pods.get(`${namespace}/${name}`)?.node ?? '';
  }

  /** Whether a pod bound to `node` uses the object (`namespace/name`) in this way. */
  uses(node: string, what: 'secrets' | 'configMaps' | 'persistentVolumeClaims' | 'serviceAccount', key: string): boolean {
    for (const p of this.byNode.get(node) ?? []) {
      const refs = this.pods.get(p);
      if (!refs) continue;
      if (what === 'serviceAccount' ? refs.serviceAccount === key : refs[what].has(key)) return true;
    }
    return false;
  }

  /** Re-reads every pod from the cache and watches it again (at start, and when the cache was re-initialised). */
  private rebuild(): void {
    this.pods.clear();
    this.byNode.clear();
    for (const p of this.cache.list()) this.put(p);
    this.cache.watchers.add({
      prefix: this.cache.prefix,
      deliver: (ev: CacheEvent) => {
        this.apply(ev);
        return true;
      },
      close: (reason: string) => {
        if (this.stopped || reason === 'the server is shutting down') return;
        log.info('node authorizer: re-reading pods', { reason });
        this.rebuild();
      },
    });
  }

  private apply(ev: CacheEvent): void {
    if (ev.prev) this.remove(ev.prev);
    if (ev.type !== 'DELETED') this.put(ev.obj);
  }

  private put(p: KubeObject): void {
    const node = typeof p.spec?.nodeName === 'string' ? (p.spec.nodeName as string) : '';
    if (!node) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    this.pods.set(key, { ...referencedObjects(p), node });
    let set = this.byNode.get(node);
    if (!set) this.byNode.set(node, (set = new Set()));
    set.add(key);
  }

  private remove(p: KubeObject): void {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const had = this.pods.get(key);
    if (!had) return;
    this.pods.delete(key);
    const set = this.byNode.get(had.node);
    set?.delete(key);
    if (set?.size === 0) this.byNode.delete(had.node);
  }
}

/** What every node may do whatever it asks about (Kubernetes' system:node rules, plus what our agent's proxy and DNS read). */
const READ = ['get', 'list', 'watch'];
const NODE_RULES: Array<{ group: string; resources: string[]; verbs: string[] }> = [
  { group: '', resources: ['nodes'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
  { group: '', resources: ['nodes/status'], verbs: ['update', 'patch'] },
  // no create: Flotilla's agents make no mirror pods
  { group: '', resources: ['pods'], verbs: [...READ, 'delete'] },
  { group: '', resources: ['pods/status'], verbs: ['update', 'patch'] },
  { group: '', resources: ['pods/eviction'], verbs: ['create'] },
  { group: '', resources: ['events'], verbs: ['create', 'update', 'patch'] },
  { group: 'events.k8s.io', resources: ['events'], verbs: ['create', 'update', 'patch'] },
  // the Service proxy and the cluster DNS (kube-proxy's and CoreDNS's reads in Kubernetes), NetworkPolicy enforcement
  { group: '', resources: ['services', 'endpoints', 'namespaces'], verbs: READ },
  { group: 'discovery.k8s.io', resources: ['endpointslices'], verbs: READ },
  { group: 'networking.k8s.io', resources: ['networkpolicies'], verbs: READ },
  { group: 'storage.k8s.io', resources: ['storageclasses', 'csinodes', 'csidrivers'], verbs: READ },
  // the local-path provisioner runs in the node agent: it watches the claims (they hold no secret), and makes and
  // finalizes the volumes of its node
  { group: '', resources: ['persistentvolumeclaims'], verbs: READ },
  { group: '', resources: ['persistentvolumes'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
  { group: 'node.k8s.io', resources: ['runtimeclasses'], verbs: READ },
  { group: 'coordination.k8s.io', resources: ['leases'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'], verbs: ['create'] },
  { group: 'authorization.k8s.io', resources: ['subjectaccessreviews', 'localsubjectaccessreviews'], verbs: ['create'] },
  { group: 'certificates.k8s.io', resources: ['certificatesigningrequests'], verbs: [...READ, 'create'] },
];

/** Resources a node may read only when one of its pods uses the object (get, or list/watch of that one object). */
const GRAPH_READS: Record<string, 'secrets' | 'configMaps'> = { secrets: 'secrets', configmaps: 'configMaps' };

const allow: AuthorizerResult = { decision: 'allow', reason: '' };
const deny = (reason: string): AuthorizerResult => ({ decision: 'deny', reason });
const noOpinion = (reason = ''): AuthorizerResult => ({ decision: 'noOpinion', reason });

export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraph) {}

  async authorize(a: Attributes): Promise<AuthorizerResult> {
    const node = nodeOf(a.user);
    if (node === undefined) return noOpinion();
    if (!a.isResourceRequest) return noOpinion();
    const core = a.apiGroup === '';
    const graphRead = core && !a.subresource ? GRAPH_READS[a.resource] : undefined;
    if (graphRead) return this.graphRead(node, a, graphRead);
    if (core && a.resource === 'serviceaccounts' && a.subresource === 'token') {
      if (a.verb !== 'create') return noOpinion(`can only create tokens for individual service accounts`);
      return a.name && this.graph.uses(node, 'serviceAccount', `${a.namespace}/${a.name}`) ? allow : noOpinion(noRelationship(node));
    }
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const rule = NODE_RULES.find((r) => r.group === a.apiGroup && r.resources.includes(resource) && r.verbs.includes(a.verb));
    if (!rule) return noOpinion();
    return this.restrict(node, a) ?? allow;
  }

  private graphRead(node: string, a: Attributes, what: 'secrets' | 'configMaps'): AuthorizerResult {
    // a list or watch of one object names it with metadata.name=... (RequestInfo carries it as the name)
    if (!READ.includes(a.verb)) return noOpinion(`can only read individual ${a.resource}`);
    if (!a.name) return noOpinion(`can only read individual ${a.resource}`);
    return this.graph.uses(node, what, `${a.namespace}/${a.name}`) ? allow : noOpinion(noRelationship(node));
  }

  /**
   * NodeRestriction, where the request's path decides it: a node writes only its own Node and Lease, and deletes or
   * updates the status of only the pods bound to it. (A denial: no other authorizer may allow it.)
   */
  private restrict(node: string, a: Attributes): AuthorizerResult | undefined {
    if (READ.includes(a.verb)) return undefined;
    const core = a.apiGroup === '';
    if (core && a.resource === 'nodes' && a.verb !== 'create' && a.name !== node) {
      return deny(`node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(a.name)}`);
    }
    if (core && a.resource === 'pods' && (a.verb === 'delete' || a.subresource === 'status' || a.subresource === 'eviction')) {
      if (!a.name) return deny(`node ${JSON.stringify(node)} can only modify individual pods`);
      const bound = this.graph.nodeOf(a.namespace, a.name);
      if (bound !== node) return deny(`node ${JSON.stringify(node)} can only ${a.subresource === 'status' ? 'update pod status' : a.verb === 'delete' ? 'delete' : 'evict'} pods with spec.nodeName set to itself`);
    }
    if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
      if (a.namespace !== NODE_LEASE_NAMESPACE || (a.verb !== 'create' && a.name !== node)) {
        return deny(`can only access node lease with the same name as the requesting node`);
      }
    }
    return undefined;
  }
}

const noRelationship = (node: string) => `no relationship found between node '${node}' and this object`;
