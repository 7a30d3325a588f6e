// Units of flotctl compose: interpolation, .env, merging several files, schema errors with file and line, the
// project name, and the conversion of a service to its Kubernetes objects.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KubeObject } from '../../../lib/api/types.js';
import { parseComposeArgs } from './args.js';
import { convert } from './convert.js';
import { ComposeError } from './errors.js';
import { interpolate, parseDotEnv } from './interpolate.js';
import { mergeFiles } from './merge.js';
import { printConfig } from './print.js';
import { loadProject, normalizeProjectName } from './project.js';

test('interpolation: $VAR, ${VAR}, defaults, required, alternatives and $$', () => {
  const env = { A: 'a', E: '' };
  assert.equal(interpolate('$A-${A}', env), 'a-a');
  assert.equal(interpolate('${E:-d} ${E-d} ${U-d} ${U:-${A}x}', env), 'd  d ax');
  assert.equal(interpolate('${A:+yes}${U+no}', env), 'yes');
  assert.equal(interpolate('$$A costs $$5', env), '$A costs $5');
  assert.throws(() => interpolate('${U:?set U please}', env), /required variable U is missing a value: set U please/);
  assert.throws(() => interpolate('${E:?}', env), /required variable E is missing a value/);
  assert.equal(interpolate('${E?}', env), '');
  assert.throws(() => interpolate('${A', env), /missing "}"/);
});

test('.env: comments, export, quotes, references to earlier keys', () => {
  const v = parseDotEnv('# c\nexport A=1\nB="x y"\nC=\'$A\'\nD=${A}2 # note\nHOST\n', { HOST: 'h' });
  assert.deepEqual(v, { A: '1', B: 'x y', C: '$A', D: '12', HOST: 'h' });
});

test('merge: maps merged, ports unique, environment list and map as one, command replaced, depends_on as maps', () => {
  const m = mergeFiles([
    { services: { web: { image: 'a', ports: ['80:80'], environment: ['A=1', 'B=2'], command: ['x', 'y'], depends_on: ['db'], volumes: ['d:/data'] } } },
    { services: { web: { image: 'b', ports: ['80:80', '443:443'], environment: { B: '3' }, command: ['z'], depends_on: { cache: { condition: 'service_healthy' } }, volumes: ['e:/data'] } } },
  ]);
  assert.deepEqual(m.services, { web: {
    image: 'b', ports: ['80:80', '443:443'], environment: { A: '1', B: '3' }, command: ['z'],
    depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } }, volumes: ['e:/data'],
  } });
});

test('config prints a literal $ as $$, so its output is a compose file again', (t) => {
  const d = dir({ 'compose.yaml': 'services:\n  web:\n    image: x\n    command: echo $$HOME ${V}\n' });
  t.after(() => rmSync(d, { recursive: true }));
  assert.match(printConfig(load(d, { env: { V: 'v' }, projectName: 'p' })), /command: echo \$\$HOME v\n/);
});

test('project names are normalised as compose normalises them', () => {
  assert.equal(normalizeProjectName('My_App.v2'), 'my_appv2');
  assert.equal(normalizeProjectName('-x'), 'x');
});

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'compose-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
  return d;
}

const load = (d: string, extra: Partial<Parameters<typeof loadProject>[0]> = {}) => loadProject({ files: [], cwd: d, profiles: [], env: {}, ...extra });

function composeError(f: () => unknown): ComposeError {
  try {
    f();
  } catch (e) {
    if (e instanceof ComposeError) return e;
    throw e;
  }
  assert.fail('no error');
}

test('invalid files: one error each, naming the file, the line and the service', (t) => {
  const d = dir({
    'unknown.yaml': 'services:\n  web:\n    image: x\n    imagee: y\n',
    'type.yaml': 'services:\n  web:\n    image: x\n    ports: 80\n',
    'env.yaml': 'services:\n  web:\n    image: x\n    environment:\n      A: ${MISSING:?MISSING is required}\n',
    'top.yaml': 'services: {}\nnetwork: {}\n',
  });
  t.after(() => rmSync(d, { recursive: true }));
  let e = composeError(() => load(d, { files: ['unknown.yaml'] }));
  assert.equal(e.message, `error: ${join(d, 'unknown.yaml')}:4: service "web": services.web: additional property imagee is not allowed`);
  e = composeError(() => load(d, { files: ['type.yaml'] }));
  assert.equal(e.where.line, 4);
  assert.equal(e.where.service, 'web');
  assert.match(e.message, /type\.yaml:4: service "web": services\.web\.ports: must be a array/);
  e = composeError(() => load(d, { files: ['env.yaml'] }));
  assert.equal(e.message, `error: ${join(d, 'env.yaml')}:5: service "web": required variable MISSING is missing a value: MISSING is required`);
  e = composeError(() => load(d, { files: ['top.yaml'] }));
  assert.equal(e.where.line, 2);
  assert.match(e.message, /additional property network is not allowed/);
});

test('files: the default name, .env then the environment, -f merged, profiles, project name from the directory', (t) => {
  const d = dir({
    'docker-compose.yml': 'services:\n  web:\n    image: "web:${TAG:-latest}"\n    environment:\n      - LEVEL=${LEVEL}\n  dbg:\n    image: busybox\n    profiles: [debug]\n',
    'override.yml': 'services:\n  web:\n    ports: ["8080:80"]\n',
    '.env': 'TAG=v1\nLEVEL=info\n',
  });
  t.after(() => rmSync(d, { recursive: true }));
  let p = load(d, { env: { LEVEL: 'debug' } });
  assert.equal(p.name, normalizeProjectName(d.split('/').at(-1) as string));
  assert.deepEqual(Object.keys(p.model.services as object), ['web']);
  assert.deepEqual((p.model.services as Record<string, unknown>).web, { image: 'web:v1', environment: ['LEVEL=debug'] });
  assert.equal(printConfig(p).split('\n')[0], `name: ${p.name}`);
  p = load(d, { files: ['docker-compose.yml', 'override.yml'], profiles: ['debug'], projectName: 'shop' });
  assert.equal(p.name, 'shop');
  assert.deepEqual(Object.keys(p.model.services as object).sort(), ['dbg', 'web']);
  assert.deepEqual(((p.model.services as Record<string, Record<string, unknown>>).web as Record<string, unknown>).ports, ['8080:80']);
  assert.throws(() => load(d, { projectName: 'Bad_Name' }), /cannot be a namespace/);
});

const byKind = (objs: KubeObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(' ')}`);
  return o;
};

test('conversion: Deployment, Service, probes, waits, claims, configs and secrets, labels everywhere', (t) => {
  const d = dir({
    'compose.yaml': `
name: shop
services:
  web:
    image: reg/web:1
    ports: ["8080:80", "30080:81"]
    depends_on: {api: {condition: service_healthy}}
    environment: {MODE: prod}
    env_file: web.env
    tmpfs: /cache
    labels: {tier: front, "traefik.rule": "Host(\`x\`)"}
  api:
    image: reg/api:1
    entrypoint: /bin/api
    command: serve --port 80
    working_dir: /srv
    user: "1000:2000"
    expose: ["80"]
    stop_grace_period: 1m30s
    healthcheck: {test: ["CMD", "wget", "-q", "localhost"], interval: 5s, timeout: 2s, retries: 4, start_period: 20s}
    volumes: ["data:/data:ro"]
    configs: [{source: conf, target: /etc/api.conf, mode: 0440}]
    secrets: [pw]
    deploy:
      replicas: 3
      resources: {limits: {cpus: "1.5", memory: 1g}, reservations: {cpus: "0.25", memory: 256m}}
      update_config: {parallelism: 2}
  migrate:
    image: reg/api:1
    restart: "no"
volumes:
  data: {driver_opts: {size: 5g}}
configs:
  conf: {file: ./api.conf}
secrets:
  pw: {environment: PW}
`,
    'web.env': 'FROM_FILE=1\nMODE=dev\n',
    'api.conf': 'port=80\n',
  });
  t.after(() => rmSync(d, { recursive: true }));
  const warnings: string[] = [];
  const objs = convert(load(d, { env: { PW: 'hunter2' } }), { allowHostPaths: false, waitImage: 'busybox:1.36', warn: (s) => warnings.push(s) });
  for (const o of objs) {
    assert.equal(o.metadata.namespace, 'shop');
    assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'flotctl-compose');
    assert.equal(o.metadata.labels?.['com.docker.compose.project'], 'shop');
  }
  assert.deepEqual(byKind(objs, 'PersistentVolumeClaim', 'data').spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } });
  assert.deepEqual(byKind(objs, 'ConfigMap', 'conf').data, { content: 'port=80\n' });
  assert.deepEqual(byKind(objs, 'Secret', 'pw').data, { content: Buffer.from('hunter2').toString('base64') });

  const api = byKind(objs, 'Deployment', 'api');
  assert.equal(api.metadata.labels?.['com.docker.compose.service'], 'api');
  assert.equal(api.spec.replicas, 3);
  assert.deepEqual(api.spec.strategy.rollingUpdate, { maxUnavailable: 2, maxSurge: 0 });
  const pod = api.spec.template.spec;
  assert.equal(pod.terminationGracePeriodSeconds, 90);
  const c = pod.containers[0];
  assert.deepEqual([c.command, c.args, c.workingDir], [['/bin/api'], ['serve', '--port', '80'], '/srv']);
  assert.deepEqual(c.securityContext, { runAsUser: 1000, runAsGroup: 2000 });
  assert.deepEqual(c.resources, { limits: { cpu: '1.5', memory: '1Gi' }, requests: { cpu: '0.25', memory: '256Mi' } });
  const probe = { exec: { command: ['wget', '-q', 'localhost'] }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 4 };
  assert.deepEqual(c.readinessProbe, probe);
  assert.deepEqual(c.livenessProbe, probe);
  assert.deepEqual(c.startupProbe, { ...probe, failureThreshold: 4 + 4 });
  assert.deepEqual(c.volumeMounts, [
    { name: 'vol-data', mountPath: '/data', readOnly: true },
    { name: 'cfg-conf', mountPath: '/etc/api.conf', subPath: 'content', readOnly: true },
    { name: 'sec-pw', mountPath: '/run/secrets/pw', subPath: 'content', readOnly: true },
  ]);
  assert.deepEqual(pod.volumes[0], { name: 'vol-data', persistentVolumeClaim: { claimName: 'data' } });
  assert.deepEqual(pod.volumes[1].configMap.items, [{ key: 'content', path: 'content', mode: 0o440 }]);
  assert.deepEqual(byKind(objs, 'Service', 'api').spec.type, 'ClusterIP');

  const web = byKind(objs, 'Deployment', 'web').spec.template;
  assert.deepEqual(web.metadata.labels.tier, 'front');
  assert.deepEqual(web.metadata.annotations, { 'traefik.rule': 'Host(`x`)' });
  assert.deepEqual(web.spec.containers[0].env, [{ name: 'FROM_FILE', value: '1' }, { name: 'MODE', value: 'prod' }]);
  assert.deepEqual(web.spec.volumes, [{ name: 'tmpfs-0', emptyDir: { medium: 'Memory' } }]);
  assert.equal(web.spec.initContainers[0].image, 'busybox:1.36');
  assert.match(web.spec.initContainers[0].command[2], /until nc -w 2 api 80 <\/dev\/null/);
  const svc = byKind(objs, 'Service', 'web');
  assert.equal(svc.spec.type, 'LoadBalancer');
  assert.deepEqual(svc.spec.ports, [
    { name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP' },
    { name: 'tcp-81', port: 81, targetPort: 81, protocol: 'TCP', nodePort: 30080 },
  ]);
  const job = byKind(objs, 'Job', 'migrate');
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  assert.deepEqual(warnings, []);
});

test('conversion refuses bind mounts (unless allowed), build without image, healthy without a healthcheck', (t) => {
  const d = dir({
    'bind.yaml': 'services:\n  web:\n    image: x\n    volumes: ["./site:/usr/share/html"]\n',
    'build.yaml': 'services:\n  web:\n    build: .\n',
    'healthy.yaml': 'services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_healthy}}\n  b:\n    image: x\n    expose: ["1"]\n',
    'nodeport.yaml': 'services:\n  a:\n    image: x\n    ports: ["30001:80"]\n',
  });
  t.after(() => rmSync(d, { recursive: true }));
  const run = (f: string, allowHostPaths = false) => convert(load(d, { files: [f], projectName: 'p' }), { allowHostPaths, waitImage: 'w', warn: () => {} });
  assert.throws(() => run('bind.yaml'), /bind\.yaml:2: service "web": bind mount \.\/site:\/usr\/share\/html is refused.*--allow-host-paths/);
  const host = byKind(run('bind.yaml', true), 'Deployment', 'web');
  assert.deepEqual(host.spec.template.spec.volumes[0].hostPath, { path: join(d, 'site') });
  assert.throws(() => run('build.yaml'), /service "web": has build: but no image: the cluster does not build images.*flotctl image push IMAGE\.tar/);
  assert.throws(() => run('healthy.yaml'), /healthy\.yaml:2: service "a": depends on "b" being healthy, but "b" has no healthcheck/);
  const np = byKind(run('nodeport.yaml'), 'Service', 'a');
  assert.equal(np.spec.type, 'NodePort');
  assert.equal(np.spec.ports[0].nodePort, 30001);
});

test('arguments: -f before the subcommand is a file, after logs it follows; exec keeps the command whole', () => {
  let p = parseComposeArgs([], ['-f', 'a.yml', '-p', 'x', 'logs', '-f', 'web']);
  assert.deepEqual(p.flags.get('file'), ['a.yml']);
  assert.deepEqual(p.flags.get('follow'), ['true']);
  assert.deepEqual(p.args, ['logs', 'web']);
  p = parseComposeArgs(['-n', 'y'], ['exec', '-T', 'db', 'sh', '-c', 'ls /data']);
  assert.deepEqual(p.args, ['exec', 'db', 'sh', '-c', 'ls /data']);
  assert.deepEqual(p.flags.get('no-TTY'), ['true']);
  p = parseComposeArgs([], ['down', '-v']);
  assert.deepEqual(p.flags.get('volumes'), ['true']);
});
