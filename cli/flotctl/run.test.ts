// flotctl run (kubectl's Pod; docker's Deployment + published Service with --replicas or -p) and scale NAME=N,
// against a fake client that records what is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../../lib/client/rest.js';
import { Ctx, GLOBAL_FLAGS } from './context.js';
import { parseFlags } from './flags.js';
import { command as runCommand } from './run.js';
import { command as scaleCommand, serviceScales } from './scale.js';

class FakeClient {
  created: KubeObject[] = [];
  scaled: string[] = [];
  async create(_k: KindInfo, obj: KubeObject, o: { namespace?: string }) {
    this.created.push({ ...obj, metadata: { ...obj.metadata, namespace: o.namespace } });
    return obj;
  }
  async updateScale(k: KindInfo, name: string, replicas: number, o: { namespace?: string }) {
    if (name === 'missing') throw new ApiError(404, { kind: 'Status', code: 404, reason: 'NotFound', message: `${k.resource}.${k.group} "${name}" not found` } as never);
    this.scaled.push(`${k.kind} ${o.namespace}/${name} ${replicas}`);
    return {} as KubeObject;
  }
}

async function flotctl(cmd: typeof runCommand, argv: string[]): Promise<{ client: FakeClient; out: string; error?: string; failed: boolean }> {
  const p = parseFlags(argv, { ...GLOBAL_FLAGS, ...cmd.flags });
  const ctx = new Ctx(p);
  const client = new FakeClient();
  Object.defineProperty(ctx, 'client', { get: () => client });
  Object.defineProperty(ctx, 'namespace', { get: () => 'apps' });
  let out = '';
  ctx.print = (s: string) => void (out += s);
  const errors: string[] = [];
  ctx.fail = (e: unknown) => {
    ctx.failed = true;
    errors.push((e as Error).message);
  };
  try {
    await cmd.run(ctx, p);
  } catch (e) {
    return { client, out, error: (e as Error).message, failed: true };
  }
  return { client, out, failed: ctx.failed, ...(errors.length ? { error: errors.join('\n') } : {}) };
}

test('run NAME --image: one Pod labelled run=NAME, as kubectl run makes it', async () => {
  const r = await flotctl(runCommand, ['web', '--image=127.0.0.1:5000/flotilla/web:v1', '--env', 'A=1', '--env=B=x=y', '--port', '8080', '--', 'sh', '-c', 'exec web-start']);
  assert.equal(r.out, 'pod/web created\n');
  assert.deepEqual(r.client.created, [{
    apiVersion: 'v1', kind: 'Pod',
    metadata: { creationTimestamp: null, labels: { run: 'web' }, name: 'web', namespace: 'apps' },
    spec: {
      containers: [{ args: ['sh', '-c', 'exec web-start'], env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x=y' }], image: '127.0.0.1:5000/flotilla/web:v1', name: 'web',
        ports: [{ containerPort: 8080 }], resources: {} }],
      dnsPolicy: 'ClusterFirst', restartPolicy: 'Always',
    },
    status: {},
  }]);
  const exposed = await flotctl(runCommand, ['web', '--image=busybox', '--port=80', '--expose', '--restart=Never', '--command', '--', 'httpd', '-f']);
  assert.equal(exposed.out, 'service/web created\npod/web created\n');
  assert.deepEqual(exposed.client.created[0]?.spec, { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { run: 'web' } });
  assert.deepEqual(exposed.client.created[1]?.spec?.containers[0].command, ['httpd', '-f']);
  assert.equal(exposed.client.created[1]?.spec?.restartPolicy, 'Never');
});

test('run NAME --image --replicas N -p HOST:CONTAINER: a Deployment labelled app=NAME and a Service publishing the port', async () => {
  const r = await flotctl(runCommand, ['shop', '--image=shop:1', '--replicas=3', '-p', '30080:8080', '-p', '9000:9000/udp', '--env', 'MODE=prod']);
  assert.equal(r.out, 'deployment.apps/shop created\nservice/shop created\n');
  const [deploy, svc] = r.client.created;
  assert.deepEqual(deploy, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { creationTimestamp: null, labels: { app: 'shop' }, name: 'shop', namespace: 'apps' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'shop' } }, strategy: {},
      template: { metadata: { creationTimestamp: null, labels: { app: 'shop' } }, spec: { containers: [{
        env: [{ name: 'MODE', value: 'prod' }], image: 'shop:1', name: 'shop', ports: [{ containerPort: 8080 }, { containerPort: 9000, protocol: 'UDP' }], resources: {},
      }] } },
    },
    status: {},
  });
  // one port outside the NodePort range: a LoadBalancer, as compose publishes it (the in-range one keeps its nodePort)
  assert.equal(svc?.spec?.type, 'LoadBalancer');
  assert.deepEqual(svc?.spec?.selector, { app: 'shop' });
  assert.deepEqual(svc?.spec?.ports, [
    { name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP', nodePort: 30080 },
    { name: 'udp-9000', port: 9000, targetPort: 9000, protocol: 'UDP' },
  ]);
  assert.equal(svc?.metadata.annotations?.['flotilla.dev/run-ports'],
    '30080:8080/tcp as nodePort 30080; 9000:9000/udp as LoadBalancer port 9000 (outside the NodePort range 30000-32767)');

  const nodePort = await flotctl(runCommand, ['web', '--image=web:1', '-p', '30080:8080']);
  const s = nodePort.client.created[1];
  assert.equal(nodePort.client.created[0]?.spec?.replicas, 1, '-p alone: one replica');
  assert.equal(s?.spec?.type, 'NodePort');
  assert.deepEqual(s?.spec?.ports, [{ name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }]);
  const noPorts = await flotctl(runCommand, ['web', '--image=web:1', '--replicas', '2']);
  assert.equal(noPorts.out, 'deployment.apps/web created\n', '--replicas alone: no Service');
});

test('run: --dry-run=client -o yaml prints every object, separated', async () => {
  const r = await flotctl(runCommand, ['web', '--image=web:1', '-r', '2', '-p', '8080:80', '--dry-run=client', '-o', 'yaml']);
  assert.deepEqual(r.client.created, []);
  assert.match(r.out, /^apiVersion: apps\/v1\nkind: Deployment\n[\s\S]*\n---\napiVersion: v1\nkind: Service\n/);
});

test('run: bad input is refused before anything is created', async () => {
  const cases: [string[], string][] = [
    [['web'], 'error: required flag(s) "image" not set'],
    [['--image=x'], "error: NAME is required for run\nSee 'flotctl run -h' for help and examples"],
    [['web', '--image=x', '--env', 'NOVALUE'], 'error: invalid env: NOVALUE'],
    [['web', '--image=x', '--expose'], 'error: --port must be set when exposing a service'],
    [['web', '--image=x', '--restart=Sometimes'], 'error: invalid restart policy: Sometimes'],
    [['web', '--image=x', '--replicas=2', '--restart=Never'], "error: --restart=Never cannot be used with --replicas or -p: a Deployment's pods always restart"],
    [['web', '--image=x', '-p', '8000-8010:80'], 'error: -p: port range 8000-8010:80 is not supported: list the ports one by one'],
    [['web', '--image=x', '-p', 'eighty'], 'error: -p: invalid port "eighty"'],
    [['web', '--image=x', '--replicas=-1'], 'error: --replicas must be greater than or equal to 0'],
    [['web', '--image=x', '--image-pull-policy=Sometimes'], 'error: invalid image pull policy: Sometimes'],
    [['web', '--image=x', '-it'], 'error: --stdin is not supported by flotctl run: run the pod, then flotctl attach -it or flotctl exec -it it'],
  ];
  for (const [argv, message] of cases) {
    const r = await flotctl(runCommand, argv);
    assert.equal(r.error, message, argv.join(' '));
    assert.deepEqual(r.client.created, [], argv.join(' '));
  }
});

test('scale NAME=N (docker service scale): each Deployment by name; kubectl\'s forms are left to kubectl\'s path', async () => {
  const r = await flotctl(scaleCommand, ['web=5', 'api=0']);
  assert.equal(r.out, 'deployment.apps/web scaled\ndeployment.apps/api scaled\n');
  assert.deepEqual(r.client.scaled, ['Deployment apps/web 5', 'Deployment apps/api 0']);
  const missing = await flotctl(scaleCommand, ['missing=2', 'web=1']);
  assert.equal(missing.error, 'deployments.apps "missing" not found');
  assert.deepEqual(missing.client.scaled, ['Deployment apps/web 1'], 'the others are still scaled');
  assert.equal((await flotctl(scaleCommand, ['web=many'])).error, 'error: invalid replicas value for web: "many": must be a whole number >= 0');
  assert.equal((await flotctl(scaleCommand, ['web=2', '--replicas=3'])).error, 'error: --replicas cannot be used with NAME=REPLICAS: the count is after the =');
  assert.equal((await flotctl(scaleCommand, ['deployment', 'web=2'])).error, 'error: NAME=REPLICAS (docker service scale\'s form) cannot be mixed with TYPE/NAME or TYPE NAME');
  assert.equal(serviceScales(['deployment/web']), undefined);
  assert.equal(serviceScales(['deployment', 'web']), undefined);
  assert.equal(serviceScales([]), undefined);
});
