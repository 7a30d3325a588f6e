// Every plugin the scheduler knows, by the name a configuration file uses.
import type { Plugin } from '../framework.js';
import { interPodAffinity } from './InterPodAffinity.js';
import { nodeAffinity } from './NodeAffinity.js';
import { nodeName } from './NodeName.js';
import { nodePorts } from './NodePorts.js';
import { nodeReady } from './NodeReady.js';
import { nodeResourcesBalancedAllocation } from './NodeResourcesBalancedAllocation.js';
import { nodeResourcesFit } from './NodeResourcesFit.js';
import { nodeUnschedulable } from './NodeUnschedulable.js';
import { ownerSpread } from './OwnerSpread.js';
import { podTopologySpread } from './PodTopologySpread.js';
import { taintToleration } from './TaintToleration.js';
import { volumeBinding } from './VolumeBinding.js';

export const PLUGIN_FACTORIES: Readonly<Record<string, () => Plugin>> = {
  NodeUnschedulable: nodeUnschedulable,
  NodeName: nodeName,
  TaintToleration: taintToleration,
  NodeReady: nodeReady,
  NodeAffinity: nodeAffinity,
  NodePorts: nodePorts,
  NodeResourcesFit: nodeResourcesFit,
  VolumeBinding: volumeBinding,
  PodTopologySpread: podTopologySpread,
  InterPodAffinity: interPodAffinity,
  NodeResourcesBalancedAllocation: nodeResourcesBalancedAllocation,
  OwnerSpread: ownerSpread,
};
