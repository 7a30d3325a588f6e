// Acceptance (Services on a real node): a Deployment of two real pods behind a Service gets a ClusterIP, an
// EndpointSlice that follows readiness, nftables rules in the node agent's own table, and a name in the cluster DNS
// that another pod resolves and reaches. Every connection to a ClusterIP is made only after the test has seen the
// rule for that address in `nft list table` (a ClusterIP without a rule would leave by the default route).
// `flotilla down` must leave no table behind. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { answerLines, dnsQuery } from '../node-agent/network/testing/dns-client.js';
import { apiFetch, credentialsOf, freePort, type Credentials } from './harness.js';
import { upCluster, type Json } from './up-cluster.js';
import { rolloutRecorder, serviceTraffic, startLoad, type LoadResult } from './service-traffic.js';

const c = upCluster({
  name: 'svc', nodeName: 'svc-node', logs: ['node-agent', 'controller-manager'], defaultServiceRange: true,
  afterDown: () => {
    assert.equal(nftTable('ip', proxyTable), '', 'flotilla down leaves no proxy table');
    assert.equal(nftTable('ip', `flotilla-policy-${instance}`), '', 'flotilla down leaves no policy table');
    assert.equal(spawnSync('ip', ['link', 'show', podNetworkFor(dir).bridge]).status !== 0, true, 'flotilla down leaves no bridge');
  },
});
const { skip, dir } = c;
const instance = nodeNetworkName(podNetworkFor(dir).bridge);
const proxyTable = `flotilla-proxy-${instance}`;

const flotilla = (args: string[]) => c.flotilla(args);
const ok = (args: string[], input?: string) => c.ok(args, input);
const kubectl = (args: string[], input?: string) => c.kubectl(args, input);
const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 90_000): Promise<T> => c.until(what, fn, timeoutMs);

const { nftTable, ruleInstalled, ruleInstalledFor, askFromHost, askFromPod, callFromPod, callByName } = serviceTraffic(c, proxyTable);

const readyEndpoints = (): Record<string, boolean> => {
  const slices = JSON.parse(ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).items as Json[];
  const out: Record<string, boolean> = {};
  for (const s of slices) for (const e of s.endpoints ?? []) out[e.targetRef.name] = e.conditions.ready;
  return out;
};

test('a Deployment behind a Service: ClusterIP rules, EndpointSlice following readiness, reached by name from another pod', { skip }, async () => {
  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${c.registry}/flotilla/web:v1
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{name: http, containerPort: 8080}]
        # ready while /tmp/www/ready exists (httpd serves it); the test takes it away and puts it back
        command: [sh, -c, 'mkdir -p /tmp/www && echo y > /tmp/www/ready && exec /bin/web-start']
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: ${c.registry}/flotilla/tools:v1, command: [sleep, '3600']}]
`);
  const svc = JSON.parse(ok(['get', 'svc', 'web', '-o', 'json'])) as Json;
  const ip = svc.spec.clusterIP as string;
  assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/, 'a ClusterIP from 10.96.0.0/12');

  // the slice: both pods ready, named target port resolved to 8080
  await until('two ready endpoints', () => Object.values(readyEndpoints()).filter(Boolean).length === 2);
  const slice = JSON.parse(ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).items[0] as Json;
  assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  const pods = Object.keys(readyEndpoints()).sort();
  assert.match(ok(['get', 'endpoints', 'web']), new RegExp(`web\\s+\\S+:8080,\\S+:8080`));
  const table = ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
  assert.match(table, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
  assert.match(table, /\nweb-\S+\s+IPv4\s+8080\s+[\d.]+,[\d.]+\s+\S+\n/);

  // from the host: only once the rule is there
  await ruleInstalled(ip, 80);
  const seen = new Set<string>();
  await until('both pods answering through the ClusterIP from the host', async () => {
    seen.add(await askFromHost(ip, 80));
    return seen.size === 2 && [...seen].sort().join() === pods.join();
  });

  // from another pod, by name: the cluster DNS answers with the ClusterIP, and both pods answer through it
  await until('the client pod running', async () => (await c.podNow('client'))?.status?.phase === 'Running');
  const resolv = ok(['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(resolv, /options ndots:5/);
  assert.match(resolv, /^nameserver 10\.96\.0\.10$/m, 'the kube-dns address, as in Kubernetes');
  const lookup = ok(['exec', 'client', '--', 'nslookup', 'web.default.svc.cluster.local']);
  assert.match(lookup, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`));
  // busybox's nslookup tries every search domain and exits 1 when any is NXDOMAIN: the answer is what counts
  const short = kubectl(['exec', 'client', '--', 'nslookup', 'web']).stdout;
  assert.match(short, new RegExp(`Name:\\s+web\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${ip.replace(/\./g, '\\.')}`), 'the search path finds the short name');
  const nx = kubectl(['exec', 'client', '--', 'nslookup', 'nothing-here.default.svc.cluster.local']);
  assert.match(nx.stdout + nx.stderr, /NXDOMAIN|can't find/);
  const fromPod = new Set(askFromPod('client', ip, 80, 20));
  assert.deepEqual([...fromPod].sort(), pods, 'both pods answer a pod through the ClusterIP');

  // readiness moves a pod out of the slice and out of the rotation, and back
  const [first, second] = pods as [string, string];
  ok(['exec', first, '--', 'rm', '/tmp/www/ready']);
  await until(`${first} not ready in the slice`, () => readyEndpoints()[first] === false);
  await until(`only ${second} answering`, () => {
    const answers = new Set(askFromPod('client', ip, 80, 10));
    return answers.size === 1 && answers.has(second);
  });
  ok(['exec', first, '--', 'sh', '-c', 'echo y > /tmp/www/ready']);
  await until(`${first} ready again`, () => readyEndpoints()[first] === true);
  await until('both answering again', () => new Set(askFromPod('client', ip, 80, 20)).size === 2);

  // deleting the Service removes its rule and frees its ClusterIP for a new Service asking for it
  ok(['delete', 'svc', 'web']);
  await until('the rule removed', () => !nftTable('ip', proxyTable).includes(ip));
  ok(['create', '-f', '-'], `{"apiVersion":"v1","kind":"Service","metadata":{"name":"again"},"spec":{"clusterIP":"${ip}","ports":[{"port":80}]}}`);
  assert.equal(JSON.parse(ok(['get', 'svc', 'again', '-o', 'json'])).spec.clusterIP, ip);
});

let creds: Credentials | undefined;

/** POSTs a Service straight to the API server (as any client would); the status code and body. */
async function postService(name: string, clusterIP?: string): Promise<{ code: number; body: Json }> {
  const spec: Json = { ports: [{ port: 80 }] };
  if (clusterIP) spec.clusterIP = clusterIP;
  // as the cluster's admin, over TLS (the kubeconfig's client certificate)
  creds ??= await credentialsOf(c.kubeconfig);
  const res = await apiFetch(`${c.url}/api/v1/namespaces/default/services`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec }),
  }, creds);
  return { code: res.status, body: (await res.json()) as Json };
}

test('the kubernetes Service; 200 concurrent creates from 4 clients get distinct IPs that an API server restart keeps and a delete frees', { skip }, async () => {
  const k = JSON.parse(ok(['get', 'svc', 'kubernetes', '-o', 'json'])) as Json;
  assert.equal(k.spec.clusterIP, '10.96.0.1');
  assert.equal(k.spec.ports[0].port, 443);
  assert.equal(JSON.parse(ok(['get', 'endpointslice', 'kubernetes', '-o', 'json'])).endpoints.length, 1);

  const names = Array.from({ length: 200 }, (_, i) => `many-${i}`);
  const clients = [0, 1, 2, 3].map(async (c) => {
    const out: Json[] = [];
    for (let i = c; i < names.length; i += 4) {
      const r = await postService(names[i] as string);
      assert.equal(r.code, 201, JSON.stringify(r.body));
      out.push(r.body);
    }
    return out;
  });
  const created = (await Promise.all(clients)).flat();
  const ips = created.map((s) => s.spec.clusterIP as string);
  assert.equal(new Set(ips).size, 200, 'every ClusterIP distinct');

  // the API server is killed and started again by the supervisor: what is held stays held
  const status = JSON.parse(flotilla(['status', '--data-dir', dir, '-o', 'json'])) as Json;
  const api = (status.components as Json[]).find((x) => x.name === 'apiserver') as Json;
  process.kill(api.pid as number, 'SIGKILL');
  await until('the API server back', async () => (await postService('probe-after-restart').catch(() => ({ code: 0 }))).code === 201);
  const taken = await postService('copy', ips[0]);
  assert.equal(taken.code, 422);
  assert.equal(taken.body.message, `Service "copy" is invalid: spec.clusterIPs: Invalid value: []string{"${ips[0]}"}: failed to allocate IP ${ips[0]}: provided IP is already allocated`);

  // deleted, every address can be asked for again
  ok(['delete', 'svc', ...names, '--wait=false']);
  for (const [i, ip] of ips.slice(0, 20).entries()) assert.equal((await postService(`reuse-${i}`, ip)).code, 201, `${ip} reusable`);
});

test('NetworkPolicy: default-deny ingress, a policy reopening the backend port to the frontend only, egress deny with a DNS exception', { skip }, async () => {
  const ns = 'netpol';
  const tools = (name: string, app: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${app}}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: ${c.tools}, command: [sleep, '3600']}]
`;
  ok(['create', 'namespace', ns]);
  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${c.registry}/flotilla/web:v1
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: ${ns}}
spec:
  selector: {app: backend}
  ports: [{port: 80, targetPort: http}]
---${tools('frontend', 'frontend')}---${tools('other', 'other')}`);
  const ip = JSON.parse(ok(['get', 'svc', '-n', ns, 'backend', '-o', 'json'])).spec.clusterIP as string;
  await ruleInstalled(ip, 80);
  for (const p of ['frontend', 'other']) await until(`${p} running`, async () => (await c.podNow(p, ns))?.status?.phase === 'Running');
  const dns = `backend.${ns}.svc.cluster.local`;
  const backend = await until('the frontend reaching the backend by name', () => {
    const r = callByName('frontend', dns, 80, ns);
    return r.address === ip && r.answer;
  });
  assert.equal(callFromPod('other', ip, 80, ns), backend, 'with no policy every pod reaches the backend');

  // default deny: the backend's namespace accepts nothing
  ok(['apply', '-f', '-'], `{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny","namespace":"${ns}"},"spec":{"podSelector":{},"policyTypes":["Ingress"]}}`);
  const listed = ok(['get', 'netpol', '-n', ns]);
  assert.match(listed, /^NAME\s+POD-SELECTOR\s+AGE\n/);
  assert.match(listed, /\ndefault-deny\s+<none>\s+\S+\n/);
  // refused, while the name still resolves (an ingress policy does not touch DNS); a lookup lost on a loaded
  // machine is asked again rather than taken for the refusal
  await until('the frontend refused by the default deny, its name still resolving', () => {
    const r = callByName('frontend', dns, 80, ns);
    return r.address === ip && r.answer === undefined;
  });

  // app=frontend may reach the backend's port again; the other pod may not
  ok(['apply', '-f', '-'], `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend-from-frontend, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{protocol: TCP, port: 8080}]
`);
  assert.match(ok(['get', 'netpol', '-n', ns, 'backend-from-frontend']), /\nbackend-from-frontend\s+app=backend\s+/);
  await until('the frontend reaching the backend again', () => callByName('frontend', dns, 80, ns).answer === backend);
  for (let i = 0; i < 3; i++) assert.equal(callFromPod('other', ip, 80, ns), undefined, 'a pod without app=frontend stays refused');

  // egress deny-all but DNS: names resolve, nothing else leaves the pod
  ok(['apply', '-f', '-'], `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-dns-only, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Egress]
  egress:
  - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`);
  // the name resolves (DNS is let out), the Service cannot be reached
  await until('the frontend refused by its egress policy, its name still resolving', () => {
    const r = callByName('frontend', dns, 80, ns);
    return r.address === ip && r.answer === undefined;
  });
  ok(['delete', 'namespace', ns, '--wait=false']);
});

test('kube-dns: kube-system/kube-dns at 10.96.0.10 with dns/53 UDP and dns-tcp/53 TCP, answered over both on this node', { skip }, async () => {
  const row = ok(['get', 'svc', '-n', 'kube-system', 'kube-dns']);
  assert.match(row, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
  assert.match(row, /\nkube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP\s+\S+\n/);
  const svc = JSON.parse(ok(['get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'json'])) as Json;
  assert.deepEqual(svc.spec.ports.map((p: Json) => `${p.name}/${p.port}/${p.protocol}`), ['dns/53/UDP', 'dns-tcp/53/TCP']);
  for (const transport of ['udp', 'tcp'] as const) {
    await ruleInstalledFor('10.96.0.10', transport, 53);
    const r = await dnsQuery({ host: '10.96.0.10', port: 53, name: 'kubernetes.default.svc.cluster.local', type: 'A', transport });
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(answerLines(r).map((l) => l.replace(/^\S+ /, '')), ['A 10.96.0.1'], `answered over ${transport}`);
  }
});

test('type LoadBalancer: the built-in load balancer gives the node address as ingress, answered at the Service port (and the NodePort unless turned off)', { skip }, async () => {
  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: lb}
spec:
  replicas: 1
  selector: {matchLabels: {app: lb}}
  template:
    metadata: {labels: {app: lb}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${c.registry}/flotilla/web:v1
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{name: http, containerPort: 8080}]
`);
  // ports no other process of this machine listens on (other clusters' proxies answer on the same node address)
  const [port, port2] = [await freePort(), await freePort()];
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: lb}
  ports: [{port: ${port}, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: lb-no-nodeport}
spec:
  type: LoadBalancer
  allocateLoadBalancerNodePorts: false
  selector: {app: lb}
  ports: [{port: ${port2}, targetPort: http}]
`);
  const node = JSON.parse(ok(['get', 'node', 'svc-node', '-o', 'json'])) as Json;
  const nodeIP = (node.status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address as string;
  const ingress = await until('the load balancer ingress', () => {
    const s = JSON.parse(ok(['get', 'svc', 'lb', '-o', 'json'])) as Json;
    return s.status.loadBalancer?.ingress?.length ? s.status.loadBalancer.ingress as Json[] : undefined;
  });
  assert.deepEqual(ingress, [{ ip: nodeIP, ipMode: 'VIP' }], 'the Ready node\'s InternalIP');
  const svc = JSON.parse(ok(['get', 'svc', 'lb', '-o', 'json'])) as Json;
  const nodePort = svc.spec.ports[0].nodePort as number;
  assert.ok(nodePort >= 30000 && nodePort <= 32767, 'a node port as well');
  const row = ok(['get', 'svc', 'lb']);
  assert.match(row, new RegExp(`\\nlb\\s+LoadBalancer\\s+[\\d.]+\\s+${nodeIP.replace(/\./g, '\\.')}\\s+${port}:${nodePort}/TCP\\s+`), 'EXTERNAL-IP as kubectl prints it');
  const pod = await until('the lb pod running', () => {
    const p = JSON.parse(ok(['get', 'pod', '-l', 'app=lb', '-o', 'json'])).items[0] as Json | undefined;
    return p?.status?.phase === 'Running' && (p.metadata.name as string);
  });
  await ruleInstalled(nodeIP, port);
  await until(`the pod answering at ${nodeIP}:${port}`, async () => (await askFromHost(nodeIP, port).catch(() => '')) === pod);
  assert.equal(await askFromHost(nodeIP, nodePort), pod, 'and at the NodePort');

  const noPorts = await until('lb-no-nodeport\'s ingress', () => {
    const s = JSON.parse(ok(['get', 'svc', 'lb-no-nodeport', '-o', 'json'])) as Json;
    return s.status.loadBalancer?.ingress?.length ? s : undefined;
  });
  assert.equal(noPorts.spec.ports[0].nodePort, undefined, 'allocateLoadBalancerNodePorts: false');
  assert.match(ok(['get', 'svc', 'lb-no-nodeport']), new RegExp(`\\s${nodeIP.replace(/\./g, '\\.')}\\s+${port2}/TCP\\s`));
  await ruleInstalled(nodeIP, port2);
  assert.equal(await askFromHost(nodeIP, port2), pod);
  ok(['delete', 'svc', 'lb', 'lb-no-nodeport']);
  ok(['delete', 'deploy', 'lb']);
});

// The load (startLoad, service-traffic.ts): new connections at a steady rate from a process of its own; a request
// fails on an error or 10 s without an answer (a SYN sent to an endpoint that is gone never gets one).
test('rolling update behind a Service under load: v1 -> v2 with maxUnavailable 0, maxSurge 1, readiness and preStop: no failed request', { skip }, async (t) => {
  const deployment = (version: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 2
  selector: {matchLabels: {app: roll}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: web
        image: ${c.registry}/flotilla/web:${version}
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{name: http, containerPort: 8080}]
        # a generous probe timeout: on a busy machine a 1 s one flaps (harmless, but it hides what the test is after)
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 5}
        # the Ansible seed's "take the host out of the load balancer first": endpoints drop it while it still serves.
        # The sleep must outlast the removal's way to every node's rules (EndpointSlice, watch, nftables), with room
        # for a saturated 2-core machine
        lifecycle: {preStop: {exec: {command: [sleep, '10']}}}
`;
  ok(['apply', '-f', '-'], `${deployment('v1')}---
apiVersion: v1
kind: Service
metadata: {name: roll}
spec:
  selector: {app: roll}
  ports: [{port: 80, targetPort: http}]
`);
  const ip = JSON.parse(ok(['get', 'svc', 'roll', '-o', 'json'])).spec.clusterIP as string;
  await until('two ready endpoints for roll', () => {
    const slices = JSON.parse(ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=roll', '-o', 'json'])).items as Json[];
    return slices.flatMap((s) => (s.endpoints ?? []) as Json[]).filter((e) => e.conditions.ready).length === 2;
  });
  await ruleInstalled(ip, 80);
  await until('v1 answering', async () => /version: v1/.test(await new Promise<string>((resolve) => {
    request({ host: ip, port: 80, path: '/', timeout: 3000 }, (res) => {
      let b = '';
      res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve(b));
    }).on('error', () => resolve('')).end();
  })));

  // the pods' gateway MAC must not follow their veths (it did: pods' replies to the node were lost)
  const bridgeMac = () => readFileSync(`/sys/class/net/${podNetworkFor(dir).bridge}/address`, 'utf8'), macBefore = bridgeMac();
  const load = startLoad(ip, 80, 80);
  const recorder = rolloutRecorder(c, proxyTable, ip, 80, 'app=roll'); // sampling while kubectl runs (okAsync)
  const began = Date.now();
  const at = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  let result: LoadResult | undefined, timeline = '';
  try {
    await new Promise((r) => setTimeout(r, 1000));
    t.diagnostic(`v2 applied at ${at()}`);
    await c.okAsync(['apply', '-f', '-'], deployment('v2'));
    await c.okAsync(['rollout', 'status', 'deployment/roll', '--timeout=120s']);
    t.diagnostic(`rolled out at ${at()}`);
    // the last v1 pod is still in its preStop: keep loading until it is gone
    await until('only v2 pods left', async () => {
      const pods = await c.podsNow('app=roll');
      return pods.length === 2 && pods.every((p) => String(p.spec.containers[0].image).endsWith(':v2'));
    });
  } finally {
    result = await load.stop();
    timeline = await recorder.stop(result.errors);
  }
  assert.equal(bridgeMac(), macBefore, 'the bridge kept its MAC address while pods came and went');
  t.diagnostic(`${result.total} requests in ${result.seconds.toFixed(1)} s (${(result.total / result.seconds).toFixed(0)}/s), ${result.failed} failed, versions ${result.versions.join(' -> ')}`);
  // (errors holds the first 10 failures: empty means none)
  assert.deepEqual(result.errors, [], `no failed request: ${result.errors.join('; ')}; what the rollout went through:\n${timeline}`);
  // enough requests across the whole rollout to have met every moment of it (a count, not a rate: a saturated
  // machine slows the client down as well)
  assert.ok(result.total >= 300, `at least 300 requests during the rollout (${result.total} in ${result.seconds} s)`);
  assert.equal(result.versions[0], 'v1');
  assert.equal(result.versions[result.versions.length - 1], 'v2', 'answers switched to v2');
  ok(['delete', 'deploy', 'roll']);
  ok(['delete', 'svc', 'roll']);
});

test('ExternalName: the cluster DNS answers a CNAME (followed inside the cluster domain, so nothing leaves this machine)', { skip }, async () => {
  ok(['create', 'service', 'externalname', 'api-alias', '--external-name', 'kubernetes.default.svc.cluster.local']);
  assert.match(ok(['get', 'svc', 'api-alias']), /\napi-alias\s+ExternalName\s+<none>\s+kubernetes\.default\.svc\.cluster\.local\s+<none>\s+/);
  await ruleInstalledFor('10.96.0.10', 'udp', 53);
  const lines = await until('the CNAME of api-alias', async () => {
    const r = await dnsQuery({ host: '10.96.0.10', port: 53, name: 'api-alias.default.svc.cluster.local', type: 'A', transport: 'udp' });
    const l = answerLines(r);
    return r.rcode === 'NOERROR' && l.length ? l : undefined;
  });
  assert.deepEqual(lines, [
    'api-alias.default.svc.cluster.local CNAME kubernetes.default.svc.cluster.local',
    'kubernetes.default.svc.cluster.local A 10.96.0.1',
  ]);
  ok(['delete', 'svc', 'api-alias']);
});

test('traffic policy Local: a ClusterIP with internalTrafficPolicy Local does not use an endpoint of another node (the node itself may, through its NodePort)', { skip }, async () => {
  ok(['run', 'tp-web', `--image=${c.registry}/flotilla/web:v1`, '--env=POD_NAME=tp-web', '--restart=Never']);
  const podIP = await until('tp-web running with an address', () => {
    const p = JSON.parse(ok(['get', 'pod', 'tp-web', '-o', 'json'])) as Json;
    return p.status.phase === 'Running' && (p.status.podIP as string);
  });
  // no selector: the test writes the endpoint itself, naming the node it is on
  const slice = (nodeName: string) => JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'tp-1', labels: { 'kubernetes.io/service-name': 'tp' } },
    addressType: 'IPv4', ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: [podIP], nodeName, conditions: { ready: true } }],
  });
  ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'tp' },
    spec: { type: 'NodePort', internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 8080 }] },
  }));
  ok(['apply', '-f', '-'], slice('another-node'));
  const svc = JSON.parse(ok(['get', 'svc', 'tp', '-o', 'json'])) as Json;
  const ip = svc.spec.clusterIP as string;
  const nodePort = svc.spec.ports[0].nodePort as number;
  const node = JSON.parse(ok(['get', 'node', 'svc-node', '-o', 'json'])) as Json;
  const nodeIP = (node.status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address as string;
  const answer = (host: string, port: number) => askFromHost(host, port).catch((e: Error) => `failed: ${e.message}`);
  // the endpoint is on another node: the ClusterIP's rule drops (kube-proxy's verdict: endpoints exist, none here)
  await until(`the drop rule for ${ip}:80`, () => nftTable('ip', proxyTable).includes(`${ip} . tcp . 80 : drop`));
  assert.match(await answer(ip, 80), /^failed/, 'internalTrafficPolicy Local: no local endpoint, no answer');
  // this host is not "external": its NodePort connection may use any endpoint, as kube-proxy lets it
  await until('the node port rule', () => nftTable('ip', proxyTable).includes(`tcp . ${nodePort} : goto `));
  assert.equal(await answer(nodeIP, nodePort), 'tp-web', 'externalTrafficPolicy Local from the node itself');
  // the endpoint is on this node: the ClusterIP answers
  ok(['apply', '-f', '-'], slice('svc-node'));
  await ruleInstalled(ip, 80);
  assert.equal(await answer(ip, 80), 'tp-web');
  // back on another node under the Cluster policy: used from here again
  ok(['apply', '-f', '-'], slice('another-node'));
  ok(['patch', 'svc', 'tp', '-p', '{"spec":{"internalTrafficPolicy":"Cluster"}}']);
  await until('the ClusterIP answered under the Cluster policy', async () => nftTable('ip', proxyTable).includes(`${ip} . tcp . 80 : goto `) &&
    (await answer(ip, 80)) === 'tp-web');
  ok(['delete', 'svc', 'tp']);
  ok(['delete', 'endpointslice', 'tp-1']);
  ok(['delete', 'pod', 'tp-web', '--wait=false']);
});
