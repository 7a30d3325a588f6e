// The flags that describe a local cluster, shared by `up`, `supervise` and `install`.
import { hostname } from 'node:os';
import type { FlagSpec } from '../flags.js';

export const clusterFlags: FlagSpec[] = [
  { name: 'port', type: 'int', value: 'N', help: 'API server port; 0 picks a free one', default: 6443 },
  { name: 'registry-port', type: 'int', value: 'N', help: "the local image registry's port; 0 picks a free one", default: 5000 },
  { name: 'node-agent-port', type: 'int', value: 'N', help: "the node agent's log/exec port; 0 picks a free one", default: 10250 },
  { name: 'node-name', type: 'string', value: 'NAME', help: "the real node's name", defaultText: 'the host name' },
  { name: 'hollow-nodes', type: 'int', value: 'N', help: 'also run N hollow nodes', default: 0 },
  { name: 'nodes', type: 'int', value: 'N', min: 1,
    help: "real nodes: this machine's, plus N-1 network namespaces each joined with `flotilla agent` (own address, containerd, node agent; pod networking across them with host-gw routes)", default: 1 },
  { name: 'node-network', type: 'string', value: 'CIDR', help: 'with --nodes: the nodes\' segment (this host takes its first address, node i the i-th)', defaultText: 'a free 10.X.0.0/24' },
  { name: 'etcd-client-port', type: 'int', value: 'N', help: "the embedded etcd's client port", defaultText: "the API server's" },
  { name: 'etcd-peer-port', type: 'int', value: 'N', help: "the embedded etcd's peer port", defaultText: "the API server's" },
  { name: 'bind-address', type: 'string', value: 'ADDR', help: "the API server's listening address (pods reach it through the kubernetes Service)", default: '0.0.0.0' },
  { name: 'advertise-address', type: 'string', value: 'ADDR', help: "the API server's address the kubernetes Service's endpoints name", defaultText: "the node's address" },
  { name: 'node-monitor-grace-period', type: 'seconds', value: 'S', help: "the controller-manager's time without a node's heartbeat before it is Unknown and its pods are marked not ready (longer than the nodes' 10 s lease renewals)", default: 40 },
  { name: 'horizontal-pod-autoscaler-sync-period', type: 'seconds', value: 'S', help: "how often the controller-manager looks at each HorizontalPodAutoscaler", default: 15 },
  { name: 'cgroup-root', type: 'string', value: 'PATH', help: "the node agent's --cgroup-root: its pods' cgroups go under <PATH>/kubepods", defaultText: '/' },
  { name: 'cluster-cidr', type: 'string', value: 'CIDR', help: "the pods' range: the controller-manager gives each node a subnet of it (--allocate-node-cidrs), which its pod bridge uses", defaultText: 'none: no node subnets (with --nodes: a free 10.X.0.0/16)' },
  { name: 'node-cidr-mask-size', type: 'int', value: 'N', help: "prefix length of each node's subnet of --cluster-cidr", defaultText: '24 for IPv4' },
  { name: 'etcd-snapshot-schedule-cron', type: 'string', value: 'SPEC', help: 'take etcd snapshots into <data-dir>/snapshots on this cron schedule (e.g. "0 */12 * * *")', defaultText: 'none' },
  { name: 'etcd-snapshot-retention', type: 'int', value: 'N', help: 'scheduled snapshots to keep', default: 5, min: 1 },
  { name: 'service-cluster-ip-range', type: 'string', value: 'CIDR', help: 'where Service cluster IPs come from (API server and node agent)', default: '10.96.0.0/12' },
];

export const defaultNodeName = () => hostname().toLowerCase();
