// `flotilla node-agent`: registers this node and runs its pods through containerd's CRI.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { onSignals } from '../signals.js';
import { componentUserAgent } from '../component.js';
import { dataDirFlag, kubeconfigFlag, type Command } from './command.js';
import { podNetworkFor } from './runtime.js';

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
      { name: 'rotate-server-certificates', type: 'bool', default: false,
        help: 'obtain the serving certificate through a CertificateSigningRequest (signer kubernetes.io/kubelet-serving) with the node\'s credentials, unless the one in --tls-cert-file is still good; logs and exec are served once it is issued' },
      { name: 'node-ip', type: 'string', value: 'IP', help: "the node's InternalIP (the address the API server and the other nodes reach it on)", defaultText: 'the first non-loopback IPv4 address' },
      { name: 'pod-cidr-from-node', type: 'bool', default: false,
        help: "take the pod network from the Node's spec.podCIDR (node IPAM): wait for it, write the runtime's CNI bridge conflist with it (the runtime runs with --pod-cidr-from-node), route to the other nodes' pods (host-gw) and masquerade only what leaves the pod network" },
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
    // the runtime's pod network (its CNI conflist): the cluster DNS listens on its bridge's gateway; from the Node's
    // podCIDR, the agent writes that conflist itself once the Node has one
    const confDir = join(dataDir, 'containerd/cni/net.d');
    const fromNode = f.bool('pod-cidr-from-node');
    const podCIDRFromNode = fromNode ? { confDir, ipamDataDir: join(dataDir, 'containerd/cni/ipam'), ...podNetworkFor(dataDir), routesStateFile: join(dataDir, 'network/host-gw-routes.json') /* up.ts hostGatewayStateFile */ } : undefined;
    const podNetwork = f.bool('service-proxy') && !fromNode ? readPodNetwork(confDir) : undefined;
    const serviceCIDRs = (f.string('service-cluster-ip-range') as string).split(',').map((s) => s.trim());
    const network = f.bool('service-proxy') && (podNetwork || fromNode) ? { podNetwork, serviceCIDRs, dnsPort: f.int('cluster-dns-port') } : undefined;
    const clusterDNS = f.string('cluster-dns')?.split(',').map((s) => s.trim()).filter(Boolean);
    const nodeName = f.string('node-name') ?? hostname().toLowerCase();
    // persistent volumes: the local-path provisioner of this node's directories, and the claims' mount source
    let wakeClaimUsers: ((namespace: string, claim: string) => void) | undefined;
    const storage = new LocalPathStorage(client, { nodeName, root: join(dataDir, 'storage'), recorder: new EventRecorder(client, 'flotilla.io/local-path', nodeName),
      onClaimBound: (ns, claim) => wakeClaimUsers?.(ns, claim) });
    const storageStop = new AbortController();
    const agent = new NodeAgent(client, cri, { nodeName, hostIP: f.string('node-ip'), persistentVolumeClaim: storage.source, dataDir, logRoot: join(dataDir, 'pod-logs'), port,
      network, podCIDRFromNode, clusterDNS, clusterDomain: f.string('cluster-domain'), cgroupRoot });
    wakeClaimUsers = (ns, claim) => agent.wakeClaimUsers(ns, claim);
    // logs and exec are served over TLS only, to the API server only (its kubelet-client certificate)
    const [certFile, keyFile, caFile] = [f.string('tls-cert-file') ?? join(dataDir, 'pki/node-agent-serving.crt'), f.string('tls-private-key-file') ?? join(dataDir, 'pki/node-agent-serving.key'), f.string('client-ca-file') ?? join(dataDir, 'pki/ca.crt')];
    const rotate = f.bool('rotate-server-certificates');
    const missing = (rotate ? [caFile] : [certFile, keyFile, caFile]).filter((p) => !existsSync(p));
    if (missing.length) throw new Error(`the node agent serves logs and exec over TLS only, and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: give --tls-cert-file, --tls-private-key-file and --client-ca-file ("flotilla up" makes them)${rotate ? '' : ', or --rotate-server-certificates'}`);
    const clientCA = readFileSync(caFile, 'utf8');
    const serving = new AbortController();
    let server: InstanceType<typeof AgentServer> | undefined;
    const serve = async (cert: string, key: string) => {
      server = new AgentServer(agent, cri, { cert, key, clientCA, allowedUsers: ['kube-apiserver-kubelet-client'] });
      await server.listen(port, agent.hostIP);
    };
    if (!rotate) await serve(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    onSignals(async () => {
      serving.abort();
      storageStop.abort();
      storage.stop();
      await agent.shutdown();
      await server?.close();
      client.close();
    });
    if (rotate) {
      // the kubelet's serverTLSBootstrap: pods run meanwhile; logs and exec wait for the certificate
      const { ensureServingCertificate } = await import('../../node-agent/server/serving-cert.js');
      void ensureServingCertificate({ client, nodeName, ipAddresses: [agent.hostIP], certFile, keyFile, ca: clientCA, signal: serving.signal })
        .then(({ cert, key }) => serve(cert, key))
        .catch((e: Error) => { if (!serving.signal.aborted) process.stderr.write(`flotilla node-agent: no serving certificate: ${e.message}\n`); });
    }
    void storage.start(storageStop.signal).catch((e: Error) => process.stderr.write(`local-path provisioner stopped: ${e.message}\n`));
    await agent.start();
  },
};
