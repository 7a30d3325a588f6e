// Acceptance (StatefulSets with persistent volumes, real containers): on a whole local cluster (`flotilla up` in a
// temp dir), driven with the real kubectl, a StatefulSet of 3 with a volumeClaimTemplate of the default class
// (local-path: WaitForFirstConsumer, provisioned by the node agent under its data dir) and a headless Service: pods
// start in order 0,1,2; each writes its name into its volume; `kubectl delete pod web-1` brings back web-1 reading
// the same data; scale to 1 and back to 3 keeps the claims and the data; web-0.web.default.svc.cluster.local
// resolves from another pod; deleting the set and the claims (reclaim Delete) removes the volumes' directories.
// A kustomize overlay of a whole application (manifests/examples/shop) applies and converges. Jobs run real
// containers: one computes a sum that `kubectl logs job/x` prints; an Indexed Job's pods read JOB_COMPLETION_INDEX
// (the downward API on the batch.kubernetes.io/job-completion-index annotation). `flotilla down` leaves no process
// and no mount. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { freePorts, ROOT } from './harness.js';
import { upCluster, type Json } from './up-cluster.js';

const c = upCluster({
  name: 'sts', nodeName: 'sts-node', logs: ['node-agent', 'controller-manager', 'scheduler'],
  // whatever a failed test left: the set, its claims and volumes go before the cluster does
  beforeDown: (cl) => {
    cl.kubectl(['delete', 'sts', '--all', '--wait=true', '--timeout=60s']);
    cl.kubectl(['delete', 'pod', '--all', '--wait=true', '--timeout=60s']);
    cl.kubectl(['delete', 'pvc', '--all', '--wait=true', '--timeout=60s']);
    cl.kubectl(['delete', 'namespace', 'shop', '--ignore-not-found', '--wait=true', '--timeout=90s']);
    cl.kubectl(['delete', 'namespace', 'composeapp', 'composeapp2', '--ignore-not-found', '--wait=true', '--timeout=90s']);
    cl.kubectl(['delete', 'namespace', 'imagesapp', '--ignore-not-found', '--wait=true', '--timeout=90s']);
  },
});
const skip = c.skip;

const manifest = (image: string, replicas: number): string => `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: ${replicas}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        # the first start writes the pod's name; every start adds a line to boots
        command: [sh, -c, '[ -f /data/who ] || hostname > /data/who; echo boot >> /data/boots; exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 64Mi}}
`;

const ready = (p: Json): boolean => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((x: Json) => x.type === 'Ready' && x.status === 'True');
const pods = (): Json[] => (c.json(['get', 'pods', '-l', 'app=web']).items as Json[]).sort((a, b) => String(a.metadata.name).localeCompare(b.metadata.name));
const exec = (pod: string, cmd: string): string => c.ok(['exec', pod, '--', 'sh', '-c', cmd]).trim();
const storageDir = (): string => join(c.dir, 'storage');

test('pods start in order 0,1,2, each with its own provisioned volume holding its name', { skip }, async () => {
  c.apply(manifest(c.tools, 3));
  const status = c.kubectl(['rollout', 'status', 'sts/web', '--timeout=180s'], undefined, undefined, 200_000);
  assert.equal(status.code, 0, status.stderr + c.logTails());
  const ps = pods();
  assert.deepEqual(ps.map((p) => p.metadata.name), ['web-0', 'web-1', 'web-2']);
  assert.ok(ps.every(ready));
  // OrderedReady: each pod was created only once the one before it was Ready
  for (let i = 1; i < 3; i++) {
    const prevReady = Date.parse((ps[i - 1].status.conditions as Json[]).find((x) => x.type === 'Ready')?.lastTransitionTime);
    assert.ok(Date.parse(ps[i].metadata.creationTimestamp) >= prevReady, `web-${i} created after web-${i - 1} was Ready`);
  }
  for (const i of [0, 1, 2]) assert.equal(exec(`web-${i}`, 'cat /data/who'), `web-${i}`);

  const claims = c.json(['get', 'pvc']).items as Json[];
  assert.deepEqual(claims.map((x) => [x.metadata.name, x.status.phase, x.spec.storageClassName]).sort(),
    [['data-web-0', 'Bound', 'local-path'], ['data-web-1', 'Bound', 'local-path'], ['data-web-2', 'Bound', 'local-path']]);
  assert.match(c.ok(['get', 'pvc', 'data-web-0']), /data-web-0\s+Bound\s+pvc-[0-9a-f-]+\s+64Mi\s+RWO\s+local-path/);
  const pv = c.json(['get', 'pv', claims[0].spec.volumeName]);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['sts-node'] });
  assert.ok(pv.spec.local.path.startsWith(storageDir() + '/'), `the volume is under the node agent's data dir: ${pv.spec.local.path}`);
  assert.equal(readFileSync(join(pv.spec.local.path, 'who'), 'utf8').trim(), claims[0].metadata.name.replace('data-', ''));
  assert.match(c.ok(['get', 'pv']), /pvc-\S+\s+64Mi\s+RWO\s+Delete\s+Bound\s+default\/data-web-\d\s+local-path/);
});

test('kubectl delete pod web-1: it comes back as web-1 on the same volume', { skip }, async () => {
  const old = c.json(['get', 'pod', 'web-1']).metadata.uid;
  c.ok(['delete', 'pod', 'web-1', '--wait=true']);
  await c.until('web-1 back and Ready', () => {
    const r = c.kubectl(['get', 'pod', 'web-1', '-o', 'json']);
    if (r.code !== 0) return false;
    const p = JSON.parse(r.stdout) as Json;
    return p.metadata.uid !== old && ready(p);
  }, 120_000);
  assert.equal(exec('web-1', 'cat /data/who'), 'web-1');
  assert.equal(exec('web-1', 'wc -l < /data/boots'), '2', 'the second start of web-1, on the volume of the first');
});

test('scale to 1 and back to 3 keeps the claims and the data', { skip }, async () => {
  const uids = (): string[] => (c.json(['get', 'pvc']).items as Json[]).map((x) => `${x.metadata.name}/${x.metadata.uid}`).sort();
  const before = uids();
  c.ok(['scale', 'sts', 'web', '--replicas=1']);
  await c.until('only web-0 left', () => pods().map((p) => p.metadata.name).join() === 'web-0', 120_000);
  assert.deepEqual(uids(), before, 'the claims of web-1 and web-2 are kept');
  c.ok(['scale', 'sts', 'web', '--replicas=3']);
  const status = c.kubectl(['rollout', 'status', 'sts/web', '--timeout=180s'], undefined, undefined, 200_000);
  assert.equal(status.code, 0, status.stderr + c.logTails());
  assert.deepEqual(uids(), before);
  assert.equal(exec('web-2', 'cat /data/who'), 'web-2');
  assert.equal(exec('web-2', 'wc -l < /data/boots'), '2');
});

test('web-0.web.default.svc.cluster.local resolves from another pod to web-0\'s address', { skip }, async () => {
  const ip = c.json(['get', 'pod', 'web-0']).status.podIP as string;
  const answer = await c.until('the headless name resolved', () => {
    const r = c.kubectl(['exec', 'web-2', '--', 'nslookup', 'web-0.web.default.svc.cluster.local']);
    return r.code === 0 && r.stdout.includes(ip) ? r.stdout : undefined;
  }, 60_000);
  assert.match(answer, new RegExp(`Address:?\\s+${ip.replace(/\./g, '\\.')}`));
});

test('deleting the StatefulSet and its claims (reclaim Delete) removes the volumes and their directories', { skip }, async () => {
  const paths = (c.json(['get', 'pv']).items as Json[]).map((pv) => pv.spec.local.path as string);
  assert.equal(paths.length, 3);
  assert.ok(paths.every((p) => existsSync(p)));
  c.ok(['delete', 'sts', 'web', '--wait=true']);
  await c.until('the pods gone', () => pods().length === 0, 120_000);
  c.ok(['delete', 'pvc', '--all', '--wait=true']);
  await c.until('the volumes gone', () => (c.json(['get', 'pv']).items as Json[]).length === 0, 120_000);
  await c.until('the directories removed', () => paths.every((p) => !existsSync(p)), 60_000);
  assert.deepEqual(readdirSync(storageDir()), []);
});

test('a real-world-shaped app from a kustomize overlay (kubectl apply -k): every object accepted, every workload converges, its backup Job reads the database\'s volume by name', { skip }, async () => {
  // manifests/examples/shop's production overlay, with its images moved to this cluster's registry by an overlay of
  // the test's own (what an operator's environment overlay does)
  const work = mkdtempSync(join(tmpdir(), 'flotilla-shop-'));
  try {
    const registryOf = (image: string) => ({ name: `127.0.0.1:5000/flotilla/${image}`, newName: `${c.registry}/flotilla/${image}` });
    writeFileSync(join(work, 'kustomization.yaml'), JSON.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization',
      resources: [relative(work, join(ROOT, 'manifests/examples/shop/overlays/production'))],
      images: [registryOf('web'), registryOf('tools')],
    }));
    const applied = c.ok(['apply', '-k', work]);
    for (const o of ['namespace/shop', 'deployment.apps/frontend', 'deployment.apps/backend', 'deployment.apps/cache', 'statefulset.apps/db', 'cronjob.batch/backup',
      'horizontalpodautoscaler.autoscaling/frontend', 'horizontalpodautoscaler.autoscaling/backend', 'serviceaccount/database', 'service/db']) {
      assert.match(applied, new RegExp(`^${o.replace(/\./g, '\\.')} created$`, 'm'));
    }
    for (const w of ['deployment/frontend', 'deployment/backend', 'deployment/cache', 'statefulset/db']) {
      const r = c.kubectl(['rollout', 'status', '-n', 'shop', w, '--timeout=180s'], undefined, undefined, 200_000);
      assert.equal(r.code, 0, `${w}: ${r.stderr}${c.logTails()}`);
    }
    const deploys = c.json(['get', 'deployments', '-n', 'shop']).items as Json[];
    assert.deepEqual(deploys.map((d) => `${d.metadata.name} ${d.status.readyReplicas}/${d.spec.replicas}`).sort(), ['backend 2/2', 'cache 1/1', 'frontend 3/3']);
    assert.equal(c.json(['get', 'pvc', 'data-db-0', '-n', 'shop']).status.phase, 'Bound');
    // the generated ConfigMap (hash-suffixed name) reached the pods through envFrom
    const fe = (c.json(['get', 'pods', '-n', 'shop', '-l', 'app=frontend']).items as Json[])[0];
    assert.equal(c.ok(['exec', '-n', 'shop', fe.metadata.name, '--', 'sh', '-c', 'echo $GREETING']).trim(), 'Welcome to the shop');
    // the autoscalers follow their Deployments (the overlay's patch gave the frontend's a floor of 3)
    await c.until('the autoscalers\' status', () => {
      const hpas = c.json(['get', 'hpa', '-n', 'shop']).items as Json[];
      return hpas.length === 2 && hpas.every((h) => h.status?.currentReplicas === h.spec.minReplicas) ? hpas : undefined;
    }, 90_000);
    // the nightly backup, run now: it reaches db-0 by its stable name and reads the file on the database's volume
    c.ok(['create', 'job', '-n', 'shop', 'backup-now', '--from=cronjob/backup']);
    const done = c.kubectl(['wait', '-n', 'shop', '--for=condition=complete', 'job/backup-now', '--timeout=120s'], undefined, undefined, 130_000);
    assert.equal(done.code, 0, done.stderr + c.ok(['logs', '-n', 'shop', 'job/backup-now']) + c.logTails());
    assert.match(c.ok(['logs', '-n', 'shop', 'job/backup-now']), /backup done/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  c.ok(['delete', 'namespace', 'shop', '--wait=true', '--timeout=120s']);
});

/** The body of GET http://host:port/, or undefined when nothing answers (yet). */
const httpBody = (host: string, port: number): Promise<string | undefined> => new Promise((resolve) => {
  const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (body += d));
    res.on('end', () => resolve(body));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve(undefined));
  req.end();
});

// flotctl compose: a three-service project (web → api → db) written as docker compose users write it. Each request
// to web's published port goes through all three: web's and api's CGI scripts (configs, mode 0755) ask the next one
// (busybox httpd passes a script's header lines through as they are: they end in CRLF for strict HTTP clients).
const COMPOSE_FILE = `
services:
  db:
    image: \${REGISTRY}/flotilla/tools:v1
    # the key-value store: files on the named volume, served over HTTP; $$ is a literal $ for the shell
    command: ["sh", "-c", "cp /run/secrets/dbpass /data/pass; echo \\"$$GREETING from db\\" > /data/greeting; exec httpd -f -p 6379 -h /data"]
    environment:
      GREETING: \${GREETING}
    expose: ["6379"]
    stop_grace_period: 1s
    volumes: [dbdata:/data]
    secrets: [dbpass]
    # checked every second until it first passes, then every 30 s (each check is an exec into the container)
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:6379/greeting"]
      start_period: 60s
      start_interval: 1s
      retries: 3
  api:
    image: \${REGISTRY}/flotilla/tools:v1
    depends_on:
      db: {condition: service_healthy}
    command: ["sh", "-c", "echo api serving as $$(hostname); exec httpd -f -p 8080 -h /www"]
    expose: ["8080"]
    configs:
      - {source: appconf, target: /etc/app.conf}
      - {source: apicgi, target: /www/cgi-bin/index.cgi, mode: 0755}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]
      start_period: 60s
      start_interval: 1s
    stop_grace_period: 1s
  web:
    image: \${REGISTRY}/flotilla/tools:v1
    depends_on:
      api: {condition: service_healthy}
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    configs:
      - {source: webcgi, target: /www/cgi-bin/index.cgi, mode: 0755}
    ports: ["\${WEB_PORT}:8080"]
    stop_grace_period: 1s
volumes:
  dbdata:
    x-flotilla-size: 64Mi
configs:
  appconf:
    content: "config: \${APP_MODE:-standard}"
  apicgi:
    content: |
      #!/bin/sh
      printf 'Content-Type: text/plain\\r\\n\\r\\n'
      wget -q -O- http://db:6379/greeting && cat /etc/app.conf
  webcgi:
    content: |
      #!/bin/sh
      printf 'Content-Type: text/plain\\r\\n\\r\\n'
      wget -q -O- http://api:8080/
secrets:
  dbpass:
    file: ./dbpass.txt
`;

test('flotctl compose: up runs a 3-service project (healthcheck, depends_on service_healthy, volume, config, secret, published port); ps, exec, logs, an edit, down; convert | kubectl apply in a second namespace; an invalid file creates nothing', { skip }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'flotilla-compose-'));
  const ok = (args: string[], project = 'composeapp', env: Record<string, string> = {}) => {
    const r = c.flotctl(['compose', '-f', join(work, 'compose.yaml'), '-p', project, ...args], undefined, env);
    assert.equal(r.code, 0, `compose ${args.join(' ')}: ${r.stderr}${r.stdout}${c.logTails()}`);
    return r.stdout;
  };
  try {
    const [port, port2] = await freePorts(2) as [number, number];
    writeFileSync(join(work, 'compose.yaml'), COMPOSE_FILE);
    writeFileSync(join(work, '.env'), `REGISTRY=${c.registry}\nGREETING=hello\nWEB_PORT=${port}\n`);
    writeFileSync(join(work, 'dbpass.txt'), 's3cret\n');

    // an invalid file: one error with file and line, and nothing sent to the cluster
    writeFileSync(join(work, 'bad.yaml'), 'services:\n  web:\n    image: x\n    restart_policy: always\n');
    const bad = c.flotctl(['compose', '-f', join(work, 'bad.yaml'), '-p', 'composebad', 'up', '--wait-image', c.tools]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), `error: ${join(work, 'bad.yaml')}:4: service "web": services.web: additional property restart_policy is not allowed`);
    // a wrong type, and a required variable left unset: the same, each with its own line
    writeFileSync(join(work, 'type.yaml'), 'services:\n  web:\n    image: x\n    ports: 8080\n');
    writeFileSync(join(work, 'env.yaml'), 'services:\n  web:\n    image: x\n    environment:\n      TOKEN: ${API_TOKEN:?set API_TOKEN}\n');
    for (const [file, error] of [['type.yaml', ':4: service "web": services.web.ports: must be a array'], ['env.yaml', ':5: service "web": required variable API_TOKEN is missing a value: set API_TOKEN']]) {
      const r = c.flotctl(['compose', '-f', join(work, file), '-p', 'composebad', 'up', '--wait-image', c.tools]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.startsWith(`error: ${join(work, file)}${error}`), r.stderr);
    }
    assert.equal(c.kubectl(['get', 'namespace', 'composebad']).code, 1, 'no namespace created');

    // --wait: up returns once every service is ready, naming each as it gets there
    const up = ok(['up', '--wait-image', c.tools, '--wait', '--wait-timeout', '150']);
    for (const o of ['namespace/composeapp created', 'persistentvolumeclaim/dbdata created', 'configmap/appconf created', 'secret/dbpass created',
      'service/db created', 'deployment.apps/db created', 'service/api created', 'deployment.apps/api created', 'service/web created', 'deployment.apps/web created',
      'service db ready (1/1 available)', 'service api ready (1/1 available)', 'service web ready (1/1 available)']) {
      assert.ok(up.includes(o), `${o} in:\n${up}`);
    }
    // the same file converted, applied with kubectl into a second namespace (published on another port): it starts
    // beside the checks below and is checked at the end
    const converted = ok(['convert', '--wait-image', c.tools], 'composeapp2', { WEB_PORT: String(port2) });
    c.ok(['create', 'namespace', 'composeapp2']);
    assert.match(c.apply(converted), /^deployment\.apps\/web created$/m);

    const pods = (ns = 'composeapp') => c.json(['get', 'pods', '-n', ns]).items as Json[];
    const ofService = (ps: Json[], s: string) => ps.filter((p) => p.metadata.labels['com.docker.compose.service'] === s);
    await c.until('every service Running and Ready', () => {
      const ps = pods();
      return ps.length === 3 && ps.every(ready) ? ps : undefined;
    }, 150_000);
    // the api's init container waited for the db's Service, whose endpoints are its healthy (ready) pods
    const api = ofService(pods(), 'api')[0] as Json;
    assert.equal(api.status.initContainerStatuses[0].name, 'wait-for-db');
    assert.equal(api.status.initContainerStatuses[0].state.terminated.exitCode, 0);

    const ps = ok(['ps']);
    const lines = ps.trimEnd().split('\n');
    assert.match(lines[0] as string, /^NAME\s+IMAGE\s+SERVICE\s+STATUS\s+PORTS$/);
    assert.equal(lines.length, 4);
    assert.match(ps, new RegExp(`^api-\\S+\\s+${c.registry}/flotilla/tools:v1\\s+api\\s+Running \\(healthy\\)\\s+8080/tcp$`, 'm'));
    assert.match(ps, new RegExp(`^web-\\S+\\s+${c.registry}/flotilla/tools:v1\\s+web\\s+Running\\s+0\\.0\\.0\\.0:${port}->8080/tcp$`, 'm'));

    // the published port: a LoadBalancer on the node's address (outside the NodePort range); what it answers went
    // web → api → db through the names of their Services, with the .env value and the default applied
    const node = c.json(['get', 'node', 'sts-node']);
    const nodeIP = (node.status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address as string;
    const proxyTable = `flotilla-proxy-${nodeNetworkName(podNetworkFor(c.dir).bridge)}`;
    const published = async (p: number) => {
      await c.until(`the nftables rule for ${nodeIP}:${p}`, () => spawnSync('nft', ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' }).stdout?.includes(`${nodeIP} . tcp . ${p} : goto `));
      return c.until(`the web answering on ${p}`, () => httpBody(nodeIP, p), 120_000);
    };
    assert.equal(await published(port), 'hello from db\nconfig: standard');

    // exec: the db's volume holds the secret and the greeting
    assert.equal(ok(['exec', '-T', 'db', 'sh', '-c', 'cat /data/pass; ls /data']), 's3cret\ngreeting\npass\n');

    // a second up with no change changes nothing
    const again = ok(['up', '--wait-image', c.tools]);
    assert.ok(again.split('\n').filter(Boolean).every((l) => l.endsWith(' unchanged')), again);
    // the file edited (the api on a new tag, 3 replicas): up rolls the api and nothing else
    const others = ofService(pods(), 'db').concat(ofService(pods(), 'web')).map((p) => p.metadata.name).sort();
    writeFileSync(join(work, 'compose.yaml'), COMPOSE_FILE.replace('tools:v1\n    depends_on:\n      db:', 'tools:latest\n    deploy: {replicas: 3}\n    depends_on:\n      db:'));
    const edited = ok(['up', '--wait-image', c.tools, '--wait', '--wait-timeout', '150']).split('\n').filter(Boolean);
    assert.deepEqual(edited.filter((l) => !l.endsWith(' unchanged') && !l.endsWith(' ready (1/1 available)')), ['deployment.apps/api configured', 'service api ready (3/3 available)']);
    const apis = await c.until('3 api pods on the new tag, the old one gone', () => {
      const ps = ofService(pods(), 'api');
      return ps.length === 3 && ps.every((p) => ready(p) && p.spec.containers[0].image === `${c.registry}/flotilla/tools:latest`) ? ps : undefined;
    }, 120_000);
    assert.deepEqual(ofService(pods(), 'db').concat(ofService(pods(), 'web')).map((p) => p.metadata.name).sort(), others);
    assert.equal(ok(['ps']).split('\n').filter((l) => new RegExp(`\\s${c.registry}/flotilla/tools:latest\\s+api\\s+Running \\(healthy\\)\\s`).test(l)).length, 3);
    // logs: each replica's line, prefixed by service and index as docker compose prefixes them
    const logs = ok(['logs', 'api']);
    for (const [i, p] of ['api-1', 'api-2', 'api-3'].entries()) assert.match(logs, new RegExp(`^${p} {2}\\| api serving as api-\\S+$`, 'm'), `${i}: ${logs}`);
    assert.deepEqual(new Set([...logs.matchAll(/serving as (\S+)$/gm)].map((m) => m[1])), new Set(apis.map((p) => p.metadata.name)));

    const down = ok(['down']);
    assert.match(down, /^deployment\.apps\/web deleted$/m);
    await c.until('nothing of the project left but its volume', () => {
      const left = c.ok(['get', 'deployments,replicasets,pods,services,configmaps,secrets,pvc', '-n', 'composeapp', '-l', 'com.docker.compose.project=composeapp', '-o', 'name']).trim();
      return left === 'persistentvolumeclaim/dbdata' ? left : undefined;
    }, 120_000);
    ok(['down', '-v']);
    await c.until('the volume gone too', () => c.ok(['get', 'pvc', '-n', 'composeapp', '-o', 'name']).trim() === '', 60_000);

    // the converted copy in the second namespace: the same running app, on its own port
    await c.until('the converted copy Running and Ready', () => pods('composeapp2').length === 3 && pods('composeapp2').every(ready), 150_000);
    assert.equal(await published(port2), 'hello from db\nconfig: standard');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  c.ok(['delete', 'namespace', 'composeapp', 'composeapp2', '--wait=true', '--timeout=120s']);
});

/** Runs a tool that must succeed; its stdout. */
function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A node port no cluster on this machine has a rule for (every cluster's proxy matches the same node address). */
function unusedNodePort(): number {
  const rules = spawnSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).stdout ?? '';
  for (;;) {
    const p = 30000 + randomInt(0, 2768);
    if (!rules.includes(`tcp . ${p} `) && !rules.includes(`dport ${p} `)) return p;
  }
}

test('flotctl image push of a docker save archive, a pod by digest, image ls; flotctl run --replicas 2 -p answers on the node port', { skip }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'flotilla-image-'));
  const ns = ['-n', 'imagesapp'];
  const flotctl = (args: string[]) => {
    const r = c.flotctl(args);
    assert.equal(r.code, 0, `flotctl ${args.join(' ')}: ${r.stderr}${r.stdout}${c.logTails()}`);
    return r.stdout;
  };
  try {
    // an image of our own, built as scripts/images builds the demo ones (umoci), saved as docker save saves it
    const marker = `marker-${randomInt(1e9)}`;
    const layout = join(work, 'oci');
    tool('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${c.tools}`, `oci:${layout}:app`]);
    mkdirSync(join(work, 'layer', 'www'), { recursive: true });
    writeFileSync(join(work, 'layer', 'www', 'index.html'), marker);
    tool('umoci', ['insert', '--image', `${layout}:app`, join(work, 'layer'), '/']);
    // httpd as pid 1 would ignore SIGTERM and hold every deletion for the grace period: sh stops it
    tool('umoci', ['config', '--image', `${layout}:app`, '--config.entrypoint', 'sh', '--config.cmd', '-c',
      '--config.cmd', 'httpd -f -p 8080 -h /www & trap "kill $!; exit 0" TERM; wait']);
    const archive = join(work, 'app.tar');
    tool('skopeo', ['copy', '--quiet', `oci:${layout}:app`, `docker-archive:${archive}:e2e/app:1.0`]);

    // pushed under the name it was saved with; the reference printed carries the digest
    const pushed = flotctl(['image', 'push', archive]).trim();
    const m = new RegExp(`^${c.registry.replace(/\./g, '\\.')}/e2e/app:1\\.0@(sha256:[0-9a-f]{64})$`).exec(pushed);
    assert.ok(m, `pushed: ${pushed}`);
    const digest = m[1] as string;
    const byDigest = `${c.registry}/e2e/app@${digest}`;
    assert.match(flotctl(['image', 'ls']), new RegExp(`^${c.registry.replace(/\./g, '\\.')}/e2e/app\\s+1\\.0\\s+${digest}$`, 'm'));
    const bad = c.flotctl(['image', 'push', archive, 'e2e/App']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'error: NAME "e2e/App" is not a valid image name: invalid reference format: repository name (e2e/App) must be lowercase');

    // a pod by digest runs exactly that image and reports it; name:tag@digest with pull policy Never finds it present
    c.ok(['create', 'namespace', 'imagesapp']);
    const runs: Record<string, string[]> = { bydigest: [`--image=${byDigest}`], tagdigest: [`--image=${c.registry}/e2e/app:1.0@${digest}`, '--image-pull-policy=Never'] };
    for (const [name, args] of Object.entries(runs)) {
      // one after the other: Never needs the image the first pulled
      c.ok(['run', name, ...ns, ...args]);
      const pod = await c.until(`${name} Running`, () => {
        const p = c.json(['get', 'pod', name, ...ns]);
        return p.status?.containerStatuses?.[0]?.state?.running && p.status.podIP ? p : undefined;
      }, 60_000);
      assert.equal(pod.status.containerStatuses[0].imageID, byDigest, `${name}'s imageID`);
      assert.equal(await c.until(`${name} serving`, () => httpBody(pod.status.podIP, 8080)), marker);
    }
    assert.equal(c.json(['get', 'pod', 'bydigest', ...ns]).spec.containers[0].imagePullPolicy, 'IfNotPresent', 'a digest defaults to IfNotPresent');
    const events = (name: string) => (c.json(['get', 'events', ...ns, '--field-selector', `involvedObject.name=${name}`]).items as Json[]).map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events('bydigest').some((e) => e === `Pulling: Pulling image "${byDigest}"`), events('bydigest').join('\n'));
    assert.ok(events('tagdigest').includes(`Pulled: Container image "${c.registry}/e2e/app:1.0@${digest}" already present on machine`), events('tagdigest').join('\n'));

    // docker's one-liner: a Deployment of 2 and its Service on a node port; the tag pull's imageID has the digest too
    const nodePort = unusedNodePort();
    const run = flotctl(['run', 'shop', ...ns, `--image=${c.registry}/e2e/app:1.0`, '--replicas', '2', '-p', `${nodePort}:8080`]);
    assert.equal(run, 'deployment.apps/shop created\nservice/shop created\n');
    const shopPods = await c.until('2 shop pods Running', () => {
      const ps = (c.json(['get', 'pods', ...ns, '-l', 'app=shop']).items as Json[]).filter((p) => p.status?.containerStatuses?.[0]?.state?.running);
      return ps.length === 2 ? ps : undefined;
    }, 60_000);
    for (const p of shopPods) assert.equal(p.status.containerStatuses[0].imageID, byDigest);
    const svc = c.json(['get', 'service', 'shop', ...ns]);
    assert.equal(svc.spec.type, 'NodePort');
    assert.equal(svc.spec.ports[0].nodePort, nodePort);
    const nodeIP = (c.json(['get', 'node', 'sts-node']).status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address as string;
    const proxyTable = `flotilla-proxy-${nodeNetworkName(podNetworkFor(c.dir).bridge)}`;
    await c.until(`the nftables rule for node port ${nodePort}`, () => spawnSync('nft', ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' }).stdout?.includes(`tcp . ${nodePort} : goto `));
    assert.equal(await c.until('the node port answering', () => httpBody(nodeIP, nodePort)), marker);
    assert.equal(flotctl(['scale', ...ns, 'shop=1']), 'deployment.apps/shop scaled\n');
    assert.equal(c.json(['get', 'deployment', 'shop', ...ns]).spec.replicas, 1);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  c.ok(['delete', 'namespace', 'imagesapp', '--wait=true', '--timeout=120s']);
});

test('a Job computes a sum in a real container; kubectl wait and kubectl logs job/x', { skip }, () => {
  c.ok(['create', 'job', 'sum', `--image=${c.tools}`, '--', 'sh', '-c', 'i=0; s=0; while [ $i -lt 100 ]; do i=$((i+1)); s=$((s+i)); done; echo sum=$s']);
  c.ok(['wait', '--for=condition=complete', 'job/sum', '--timeout=180s']);
  assert.equal(c.ok(['logs', 'job/sum']).trim(), 'sum=5050');
  const job = JSON.parse(c.ok(['get', 'job', 'sum', '-o', 'json']));
  assert.equal(job.status.succeeded, 1);
  assert.match(c.ok(['get', 'job', 'sum']), /sum\s+Complete\s+1\/1/);
});

test('an Indexed Job: each pod reads JOB_COMPLETION_INDEX and squares it', { skip }, () => {
  c.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'squares' },
    spec: { completions: 3, parallelism: 3, completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never',
      containers: [{ name: 'sq', image: c.tools, command: ['sh', '-c', 'echo "$JOB_COMPLETION_INDEX^2=$((JOB_COMPLETION_INDEX * JOB_COMPLETION_INDEX))"'] }] } } },
  }));
  c.ok(['wait', '--for=condition=complete', 'job/squares', '--timeout=180s']);
  const pods = JSON.parse(c.ok(['get', 'pods', '-l', 'job-name=squares', '-o', 'json'])).items as Array<{ metadata: { name: string } }>;
  const lines = pods.map((p) => c.ok(['logs', p.metadata.name]).trim()).sort();
  assert.deepEqual(lines, ['0^2=0', '1^2=1', '2^2=4']);
});
