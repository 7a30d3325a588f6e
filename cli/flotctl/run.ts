// `run NAME --image=IMG`: kubectl's one Pod (label run=NAME, `--expose --port` adds its ClusterIP Service), and
// docker's one-liner when --replicas or -p/--publish is given, as `docker service create --replicas N -p H:C`: a
// Deployment (label app=NAME, as `create deployment` labels it) and, for -p, a Service publishing the ports the way
// `compose` publishes them (a host port in the NodePort range is the nodePort, any other a LoadBalancer's port).
import type { KindInfo } from '../../lib/api/kinds.js';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Command } from './command.js';
import { ServiceError, targetPorts } from './compose/container.js';
import { publishedService, type PublishedPort } from './compose/workload.js';
import { CliError, type Ctx } from './context.js';
import './fieldhints.js'; // "did you mean" for unknown fields in server errors
import { type Parsed, all, bool, intFlag, str } from './flags.js';
import { checkOutput, dryRun, printResult, WRITE_FLAGS, writeOptions } from './write.js';

/** Where the Service of `run -p` says how each port was published (as compose's says in its own annotation). */
export const RUN_PORTS_ANNOTATION = 'flotilla.dev/run-ports';

const RESTART = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** `K=V` pairs of --env and --labels; kubectl's message for one without `=`. */
function pairs(values: string[], what: string): Array<[string, string]> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CliError(`error: invalid ${what}: ${v}`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/** -p/--publish values as compose's short port syntax reads them (`8080:80`, `80`, `30080:80/udp`). */
export function publishedPorts(values: string[]): PublishedPort[] {
  try {
    return targetPorts({ ports: values });
  } catch (e) {
    if (e instanceof ServiceError) throw new CliError(`error: -p: ${e.message}`);
    throw e;
  }
}

interface RunSpec {
  name: string;
  image: string;
  command: string[];
  asCommand: boolean;
  env: Array<[string, string]>;
  port: number;
  pullPolicy?: string;
  labels?: Array<[string, string]>;
  annotations: Array<[string, string]>;
}

function container(s: RunSpec, ports: PublishedPort[]): Record<string, unknown> {
  const containerPorts = new Map<string, { containerPort: number; protocol?: string }>();
  if (s.port >= 0) containerPorts.set(`${s.port}/TCP`, { containerPort: s.port });
  for (const p of ports) if (!containerPorts.has(`${p.port}/${p.protocol}`)) containerPorts.set(`${p.port}/${p.protocol}`, { containerPort: p.port, ...(p.protocol !== 'TCP' ? { protocol: p.protocol } : {}) });
  return {
    ...(s.command.length ? { [s.asCommand ? 'command' : 'args']: s.command } : {}),
    ...(s.env.length ? { env: s.env.map(([name, value]) => ({ name, value })) } : {}),
    image: s.image,
    ...(s.pullPolicy ? { imagePullPolicy: s.pullPolicy } : {}),
    name: s.name,
    ...(containerPorts.size ? { ports: [...containerPorts.values()] } : {}),
    resources: {},
  };
}

const meta = (ctx: Ctx, name: string, labels: Record<string, string>, annotations: Array<[string, string]>) => ({
  ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
  creationTimestamp: null,
  labels,
  name,
  ...(ctx.explicitNs ? { namespace: ctx.namespace } : {}),
});

/** kubectl run's Pod. */
export function runPod(ctx: Ctx, s: RunSpec, restart: string): KubeObject {
  const labels = s.labels ? Object.fromEntries(s.labels) : { run: s.name };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(ctx, s.name, labels, s.annotations),
    spec: { containers: [container(s, [])], dnsPolicy: 'ClusterFirst', restartPolicy: restart },
    status: {},
  } as unknown as KubeObject;
}

/** The Deployment of docker's one-liner: `create deployment`'s shape with the container named after NAME. */
export function runDeployment(ctx: Ctx, s: RunSpec, replicas: number, ports: PublishedPort[]): KubeObject {
  const labels = s.labels ? Object.fromEntries(s.labels) : { app: s.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(ctx, s.name, labels, s.annotations),
    spec: {
      replicas, selector: { matchLabels: labels }, strategy: {},
      template: { metadata: { creationTimestamp: null, labels }, spec: { containers: [container(s, ports)] } },
    },
    status: {},
  } as unknown as KubeObject;
}

/** kubectl run --expose's Service: the Pod's port, on a cluster IP. */
function exposeService(ctx: Ctx, s: RunSpec, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { creationTimestamp: null, name: s.name, ...(ctx.explicitNs ? { namespace: ctx.namespace } : {}) },
    spec: { ports: [{ port: s.port, protocol: 'TCP', targetPort: s.port }], selector },
    status: { loadBalancer: {} },
  } as unknown as KubeObject;
}

function specOf(p: Parsed): RunSpec {
  const [name, ...command] = p.args;
  if (!name) throw new CliError("error: NAME is required for run\nSee 'flotctl run -h' for help and examples");
  const image = str(p, 'image');
  if (!image) throw new CliError('error: required flag(s) "image" not set');
  const pullPolicy = str(p, 'image-pull-policy');
  if (pullPolicy && !PULL_POLICIES.includes(pullPolicy)) throw new CliError(`error: invalid image pull policy: ${pullPolicy}`);
  const labels = str(p, 'labels');
  return {
    name, image, command, asCommand: bool(p, 'command'), env: pairs(all(p, 'env'), 'env'), port: intFlag(p, 'port', -1), pullPolicy,
    labels: labels ? pairs(labels.split(','), 'label spec') : undefined, annotations: pairs(all(p, 'annotations'), 'annotation'),
  };
}

async function create(ctx: Ctx, p: Parsed, obj: KubeObject, first: boolean): Promise<void> {
  const kind = findByKind(obj.apiVersion as string, obj.kind as string) as KindInfo;
  if (!first && str(p, 'output') === 'yaml') ctx.print('---\n');
  const created = dryRun(p) === 'client' ? obj : await ctx.client.create(kind, obj, { namespace: ctx.namespace, ...writeOptions(p, 'kubectl-run') });
  printResult(ctx, p, kind, created, 'created');
}

async function run(ctx: Ctx, p: Parsed): Promise<void> {
  checkOutput(p);
  dryRun(p);
  for (const f of ['stdin', 'tty', 'attach', 'rm']) {
    if (bool(p, f)) throw new CliError(`error: --${f} is not supported by flotctl run: run the pod, then flotctl attach -it or flotctl exec -it it`);
  }
  const s = specOf(p);
  const restart = str(p, 'restart') ?? 'Always';
  if (!RESTART.includes(restart)) throw new CliError(`error: invalid restart policy: ${restart}`);
  const publish = all(p, 'publish');
  const docker = publish.length > 0 || str(p, 'replicas') !== undefined;
  if (!docker) {
    if (bool(p, 'expose') && s.port < 0) throw new CliError('error: --port must be set when exposing a service');
    const pod = runPod(ctx, s, restart);
    if (bool(p, 'expose')) await create(ctx, p, exposeService(ctx, s, pod.metadata.labels as Record<string, string>), true);
    await create(ctx, p, pod, !bool(p, 'expose'));
    return;
  }
  // a Deployment's pods always restart: the other policies are a Pod's or a Job's
  if (restart !== 'Always') throw new CliError(`error: --restart=${restart} cannot be used with --replicas or -p: a Deployment's pods always restart`);
  if (bool(p, 'expose')) throw new CliError('error: --expose cannot be used with --replicas or -p: -p publishes the ports');
  const replicas = intFlag(p, 'replicas', 1, 'r');
  if (replicas < 0) throw new CliError('error: --replicas must be greater than or equal to 0');
  const ports = publishedPorts(publish);
  const deployment = runDeployment(ctx, s, replicas, ports);
  const labels = deployment.spec?.selector?.matchLabels as Record<string, string>;
  await create(ctx, p, deployment, true);
  const service = publishedService(s.name, ports, labels, labels, RUN_PORTS_ANNOTATION);
  if (service) await create(ctx, p, { ...service, metadata: { ...service.metadata, ...(ctx.explicitNs ? { namespace: ctx.namespace } : {}) } }, false);
}

export const command: Command = {
  short: 'Run a particular image on the cluster: a Pod, or with --replicas/-p a Deployment and its published Service',
  flags: {
    ...WRITE_FLAGS,
    image: {}, env: { multi: true }, port: {}, labels: { short: 'l' }, annotations: { multi: true }, restart: {}, command: { bool: true },
    'image-pull-policy': {}, expose: { bool: true }, replicas: { short: 'r' }, publish: { short: 'p', multi: true },
    stdin: { short: 'i', bool: true }, tty: { short: 't', bool: true }, attach: { bool: true }, rm: { bool: true },
  },
  run,
};
