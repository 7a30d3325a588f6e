// `flotilla node-agent`: registers this node and runs its pods through containerd's CRI.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { onSignals } from '../signals.js';
import { componentUserAgent } from '../component.js';
import { dataDirFlag, kubeconfigFlag, type Command } from './command.js';

export const nodeAgent: Command = {
  spec: {
    name: 'node-agent',
    summary: 'Run the node agent: registers this node and runs its pods through containerd\'s CRI',
    flags: [
      kubeconfigFlag,
      { name: 'containerd', type: 'string', value: 'SOCKET', help: "containerd's socket", defaultText: '<data-dir>/containerd/containerd.sock' },
      dataDirFlag('where pod logs live'),
      { name: 'node-name', type: 'string', value: 'NAME', help: 'the Node to register', defaultText: 'the host name' },
      { name: 'port', type: 'int', value: 'N', help: 'port of the log/exec server the API server calls', default: 10250 },
      { name: 'runtime-request-timeout', type: 'seconds', value: 'S', help: 'deadline of each CRI call (image pulls excepted)', default: 30 },
      { name: 'service-proxy', type: 'bool', help: "program Services (nftables) and answer cluster DNS on the pod bridge's gateway", default: true },
      { name: 'service-cluster-ip-range', type: 'string', value: 'CIDR', help: "the API server's --service-cluster-ip-range", default: '10.96.0.0/12' },
      { name: 'cluster-dns', type: 'string', value: 'IP[,IP]', help: 'the nameservers of ClusterFirst pods', defaultText: "the pod bridge's gateway with --service-proxy, else the node's own" },
      { name: 'cluster-domain', type: 'string', value: 'DOMAIN', help: 'the cluster domain', default: 'cluster.local' },
      { name: 'cluster-dns-port', type: 'int', value: 'N', help: 'port of the cluster DNS on the gateway', default: 53 },
      { name: 'cgroup-root', type: 'string', value: 'PATH', help: "the cgroup the pods' hierarchy (kubepods, by QoS class) goes under", default: '/' },
      { name: 'tls-cert-file', type: 'string', value: 'FILE', help: 'serving certificate of the log/exec server (from the cluster CA, naming this node\'s address)', defaultText: '<data-dir>/pki/node-agent-serving.crt' },
      { name: 'tls-private-key-file', type: 'string', value: 'FILE', help: "that certificate's key", defaultText: '<data-dir>/pki/node-agent-serving.key' },
      { name: 'client-ca-file', type: 'string', value: 'FILE', help: "CA the API server's client certificate must chain to", defaultText: '<data-dir>/pki/ca.crt' },
    ],
  },
  async run(f) {
    const [{ NodeAgent }, { CriClient }, { AgentServer }, { Client, loadKubeConfig }, { readPodNetwork }, { LocalPathStorage }, { EventRecorder }] =
      await Promise.all([
      import('../../node-agent/agent.js'), import('../../node-agent/cri/client.js'),
      import('../../node-agent/server/server.js'), import('../../lib/client/index.js'), import('../../node-agent/network/pod-network.js'),
      import('../../node-agent/pods/volumes/local-path.js'), import('../../lib/client/events.js'),
    ]);
    const { normalizeCgroupRoot } = await import('../../node-agent/pods/cgroups.js');
    const dataDir = resolve(f.string('data-dir') as string);
    const cgroupRoot = f.string('cgroup-root') as string;
    normalizeCgroupRoot(cgroupRoot); // a bad path fails here, before anything starts
    // Fail fast while the runtime is down (no waitForReady): exec, logs and pod syncs get an error at once instead
    // of hanging until the deadline, and the runtime health check reports the node NotReady.
    const cri = new CriClient({ endpoint: f.string('containerd') ?? join(dataDir, 'containerd/containerd.sock'), timeoutMs: f.ms('runtime-request-timeout') });
    const client = new Client({ ...loadKubeConfig({ kubeconfig: f.string('kubeconfig') }), userAgent: componentUserAgent('kubelet') });
    const port = f.int('port');
    // the runtime's pod network (its CNI conflist): the cluster DNS listens on its bridge's gateway
    const podNetwork = f.bool('service-proxy') ? readPodNetwork(join(dataDir, 'containerd/cni/net.d')) : undefined;
    const network = podNetwork && { podNetwork, serviceCIDRs: (f.string('service-cluster-ip-range') as string).split(',').map((s) => s.trim()), dnsPort: f.int('cluster-dns-port') };
    const clusterDNS = f.string('cluster-dns')?.split(',').map((s) => s.trim()).filter(Boolean);
    const nodeName = f.string('node-name') ?? hostname().toLowerCase();
    // persistent volumes: the local-path provisioner of this node's directories, and the claims' mount source
    let wakeClaimUsers: ((namespace: string, claim: string) => void) | undefined;
    const storage = new LocalPathStorage(client, { nodeName, root: join(dataDir, 'storage'), recorder: new EventRecorder(client, 'flotilla.io/local-path', nodeName),
      onClaimBound: (ns, claim) => wakeClaimUsers?.(ns, claim) });
    const storageStop = new AbortController();
    const agent = new NodeAgent(client, cri, { nodeName, persistentVolumeClaim: storage.source, dataDir, logRoot: join(dataDir, 'pod-logs'), port, network, clusterDNS, clusterDomain: f.string('cluster-domain'), cgroupRoot });
    wakeClaimUsers = (ns, claim) => agent.wakeClaimUsers(ns, claim);
    // logs and exec are served over TLS only, to the API server only (its kubelet-client certificate)
    const tlsFiles = [f.string('tls-cert-file') ?? join(dataDir, 'pki/node-agent-serving.crt'), f.string('tls-private-key-file') ?? join(dataDir, 'pki/node-agent-serving.key'), f.string('client-ca-file') ?? join(dataDir, 'pki/ca.crt')];
    const missing = tlsFiles.filter((p) => !existsSync(p));
    if (missing.length) throw new Error(`the node agent serves logs and exec over TLS only, and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: give --tls-cert-file, --tls-private-key-file and --client-ca-file ("flotilla up" makes them)`);
    const [cert, key, clientCA] = tlsFiles.map((p) => readFileSync(p, 'utf8')) as [string, string, string];
    const server = new AgentServer(agent, cri, { cert, key, clientCA, allowedUsers: ['kube-apiserver-kubelet-client'] });
    await server.listen(port, agent.hostIP);
    onSignals(async () => {
      storageStop.abort();
      storage.stop();
      await agent.shutdown();
      await server.close();
      client.close();
    });
    void storage.start(storageStop.signal).catch((e: Error) => process.stderr.write(`local-path provisioner stopped: ${e.message}\n`));
    await agent.start();
  },
};
