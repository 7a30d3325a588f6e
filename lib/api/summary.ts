// The kubelet's Summary API (stats/v1alpha1) as the node agent serves it at GET /stats/summary: the part of it that
// resource metrics need (CPU and memory of the node, its pods and their containers).

export interface CpuStats { time: string; usageNanoCores?: number; usageCoreNanoSeconds: number }
export interface MemoryStats { time: string; workingSetBytes: number; usageBytes?: number; availableBytes?: number; rssBytes?: number }
export interface ContainerSummary { name: string; cpu?: CpuStats; memory?: MemoryStats }
export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  containers: ContainerSummary[];
  cpu?: CpuStats;
  memory?: MemoryStats;
}
export interface Summary {
  node: { nodeName: string; cpu?: CpuStats; memory?: MemoryStats };
  pods: PodSummary[];
  /** Not in the kubelet's summary: how far apart the two samples behind every rate were (metrics.k8s.io's window). */
  windowSeconds?: number;
}

