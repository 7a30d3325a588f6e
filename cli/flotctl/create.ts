// `create -f`, and the generators users type by heart: `create deployment NAME --image=IMG [--replicas=N]
// [--port=P] [-- COMMAND...]`, `create namespace NAME`, `create configmap NAME` and `create secret generic NAME`
// (--from-literal, --from-file, --from-env-file), `create job` (also --from=cronjob/NAME) and `create cronjob`.
// Objects are built as kubectl builds them, Go zero values included, so `--dry-run=client -o yaml` prints the same
// manifest kubectl prints.
import { randomBytes } from 'node:crypto';
import { findByAlias, type KindInfo } from '../../lib/api/kinds.js';
import { ApiError } from '../../lib/client/rest.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Command } from './command.js';
import './fieldhints.js'; // "did you mean" for unknown fields in server errors
import { CliError, type Ctx } from './context.js';
import { type Parsed, all, bool, intFlag, str } from './flags.js';
import { type Item, itemsFromFlags } from './manifests.js';
import { withLastApplied } from './apply.js';
import { FILE_FLAGS, targets } from './targets.js';
import { checkOutput, dryRun, printResult, WRITE_FLAGS, writeOptions } from './write.js';
import { dataSources } from './datasources.js';

/** `wrap`: the generators' own prefix for server errors (kubectl words them `failed to create deployment: ...`). */
async function createObject(ctx: Ctx, p: Parsed, kind: KindInfo, obj: KubeObject, namespace: string | undefined, source?: string,
  wrap?: string): Promise<void> {
  const body = bool(p, 'save-config') ? withLastApplied(obj) : obj;
  try {
    const created = dryRun(p) === 'client' ? body : await ctx.client.create(kind, body, { namespace, ...writeOptions(p, 'kubectl-create') });
    printResult(ctx, p, kind, created, 'created');
  } catch (e) {
    if (wrap && e instanceof ApiError) ctx.fail(new CliError(`error: ${wrap}${e.message}`));
    else ctx.fail(e, source ? `error when creating "${source}": ` : '');
  }
}

export async function createItem(ctx: Ctx, p: Parsed, it: Item): Promise<void> {
  await createObject(ctx, p, it.kind, it.obj, it.namespace, it.source);
}

const usage = (sub: string) => `\nSee 'flotctl create ${sub} -h' for help and examples`;

function oneName(p: Parsed, args: string[], sub: string): string {
  if (args.length !== 1) throw new CliError(`error: exactly one NAME is required, got ${args.length}${usage(sub)}`);
  return args[0] as string;
}

/** The metadata kubectl's generators write: no timestamp yet, the namespace only when -n was given. */
function meta(ctx: Ctx, name: string, namespaced: boolean, labels?: Record<string, string>): KubeObject['metadata'] {
  return { creationTimestamp: null, ...(labels ? { labels } : {}), name, ...(namespaced && ctx.explicitNs ? { namespace: ctx.namespace } : {}) } as unknown as KubeObject['metadata'];
}

/** A container name from an image reference, as kubectl derives it: `reg.io/x/side_car:3` -> `side-car-<random>`. */
function containerName(image: string): string {
  let name = (image.split('/').at(-1) as string).split(':')[0]?.split('@')[0] as string;
  if (/[_.]/.test(name)) name = `${name.replace(/[_.]/g, '-')}-${randomSuffix()}`;
  return name;
}

const randomSuffix = () => Array.from(randomBytes(5), (b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('');

function deployment(ctx: Ctx, p: Parsed, args: string[], command: string[]): KubeObject {
  const name = oneName(p, args, 'deployment');
  const images = all(p, 'image');
  if (!images.length) throw new CliError('error: required flag(s) "image" not set');
  if (images.length > 1 && command.length) throw new CliError('error: cannot specify multiple --image options and command');
  const replicas = intFlag(p, 'replicas', 1, 'r');
  const port = intFlag(p, 'port', -1);
  const labels = { app: name };
  const containers = images.map((image, i) => ({
    ...(command.length ? { command } : {}),
    image,
    name: containerName(image),
    ...(i === 0 && port >= 0 ? { ports: [{ containerPort: port }] } : {}),
    resources: {},
  }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(ctx, name, true, labels),
    spec: { replicas, selector: { matchLabels: labels }, strategy: {}, template: { metadata: { creationTimestamp: null, labels }, spec: { containers } } },
    status: {},
  } as KubeObject;
}

function configMap(ctx: Ctx, p: Parsed, args: string[]): KubeObject {
  const name = oneName(p, args, 'configmap');
  const { data, binaryData } = dataSources(p, `ConfigMap "${name}"`, 'ConfigMap', false);
  return { apiVersion: 'v1', ...(Object.keys(binaryData).length ? { binaryData } : {}), ...(Object.keys(data).length ? { data } : {}), kind: 'ConfigMap', metadata: meta(ctx, name, true) } as KubeObject;
}

function secret(ctx: Ctx, p: Parsed, args: string[]): KubeObject {
  const [type, ...rest] = args;
  if (type !== 'generic') throw new CliError(type ? `error: unknown command "${type}"${usage('secret')}` : `error: must specify a secret type: generic${usage('secret')}`);
  const name = oneName(p, rest, 'secret generic');
  const { data } = dataSources(p, `Secret "${name}"`, 'Secret', true);
  const t = str(p, 'type');
  return { apiVersion: 'v1', ...(Object.keys(data).length ? { data } : {}), kind: 'Secret', metadata: meta(ctx, name, true), ...(t ? { type: t } : {}) } as KubeObject;
}

/** The pod template of `create job` and `create cronjob`: one container named after the object. */
const batchTemplate = (name: string, image: string, command: string[], restartPolicy: string) => ({
  metadata: { creationTimestamp: null },
  spec: { containers: [{ ...(command.length ? { command } : {}), image, name, resources: {} }], restartPolicy },
});

/** `create job NAME --image=IMG [-- COMMAND...]`; the --from=cronjob/NAME form is fromCronJob, which needs the server. */
function job(ctx: Ctx, p: Parsed, args: string[], command: string[]): KubeObject {
  const name = oneName(p, args, 'job');
  const image = str(p, 'image') ?? '';
  const from = str(p, 'from') ?? '';
  if ((!image && !from) || (image && from)) throw new CliError('error: either --image or --from must be specified');
  if (command.length && from) throw new CliError('error: cannot specify --from and command');
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(ctx, name, true), spec: { template: batchTemplate(name, image, command, 'Never') }, status: {} } as KubeObject;
}

/**
 * The Job `create job NAME --from=cronjob/CJ` makes: the CronJob's jobTemplate (its labels, its annotations plus
 * cronjob.kubernetes.io/instantiate=manual), owned by the CronJob without blockOwnerDeletion, as kubectl does it.
 */
export function jobFromCronJob(ctx: Ctx, name: string, cj: KubeObject): KubeObject {
  const tpl = (cj.spec?.jobTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
  const owner = { apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid, controller: true };
  const labels = tpl.metadata?.labels;
  const metadata = {
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', ...tpl.metadata?.annotations },
    creationTimestamp: null, ...(labels && Object.keys(labels).length ? { labels } : {}), name,
    ...(ctx.explicitNs ? { namespace: ctx.namespace } : {}), ownerReferences: [owner],
  };
  const spec = structuredClone(tpl.spec ?? {}) as { template?: { metadata?: Record<string, unknown> } };
  // kubectl copies the spec through Go's types: the pod template gets their zero creationTimestamp
  spec.template = { ...spec.template, metadata: { creationTimestamp: null, ...spec.template?.metadata } };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec, status: {} } as unknown as KubeObject;
}

/** Looks up --from (only a CronJob will do) and builds the Job from it. */
async function jobFrom(ctx: Ctx, name: string, from: string): Promise<KubeObject> {
  const named = targets(ctx, [from]);
  const [first] = named;
  if (named.length !== 1 || first?.names.length !== 1) throw new CliError('error: from must be an existing cronjob');
  const obj = await ctx.client.get(first.kind, first.names[0] as string, { namespace: first.kind.namespaced ? ctx.namespace : undefined });
  if (first.kind.group !== 'batch' || first.kind.kind !== 'CronJob') throw new CliError(`error: unknown object type *${first.kind.version}.${first.kind.kind}`);
  return jobFromCronJob(ctx, name, obj);
}

/** `create cronjob NAME --image=IMG --schedule=CRON [--restart=OnFailure|Never] [-- COMMAND...]`. */
function cronJob(ctx: Ctx, p: Parsed, args: string[], command: string[]): KubeObject {
  const name = oneName(p, args, 'cronjob');
  for (const flag of ['image', 'schedule']) if (str(p, flag) === undefined) throw new CliError(`error: required flag(s) "${flag}" not set`);
  const jobTemplate = { metadata: { creationTimestamp: null, name }, spec: { template: batchTemplate(name, str(p, 'image') as string, command, str(p, 'restart') || 'OnFailure') } };
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(ctx, name, true), spec: { jobTemplate, schedule: str(p, 'schedule') }, status: {} } as KubeObject;
}

const namespace = (ctx: Ctx, p: Parsed, args: string[]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ctx, oneName(p, args, 'namespace'), false), spec: {}, status: {} }) as KubeObject;

type Generator = { kind: string; wrap?: string; build: (ctx: Ctx, p: Parsed, args: string[], command: string[]) => KubeObject };
const DEPLOYMENT: Generator = { kind: 'deployments', wrap: 'failed to create deployment: ', build: deployment };
const NAMESPACE: Generator = { kind: 'namespaces', build: namespace };
const CONFIGMAP: Generator = { kind: 'configmaps', wrap: 'failed to create configmap: ', build: configMap };
const CRONJOB: Generator = { kind: 'cronjobs', wrap: 'failed to create cronjob: ', build: cronJob };
const GENERATORS: Record<string, Generator> = {
  deployment: DEPLOYMENT, deploy: DEPLOYMENT, namespace: NAMESPACE, ns: NAMESPACE, configmap: CONFIGMAP, cm: CONFIGMAP,
  secret: { kind: 'secrets', wrap: 'failed to create secret ', build: secret },
  job: { kind: 'jobs', wrap: 'failed to create job: ', build: job }, cronjob: CRONJOB, cj: CRONJOB,
};

export const command: Command = {
  short: 'Create a resource from a file or from stdin',
  subcommands: ['deployment', 'namespace', 'configmap', 'secret', 'job', 'cronjob'],
  flags: {
    ...FILE_FLAGS, ...WRITE_FLAGS, 'save-config': { bool: true },
    image: { multi: true }, replicas: { short: 'r' }, port: {}, 'from-literal': { multi: true }, 'from-file': { multi: true }, 'from-env-file': { multi: true }, type: {},
    from: {}, schedule: {}, restart: {},
  },
  run: async (ctx, p) => {
    checkOutput(p);
    dryRun(p);
    const [sub, ...rest] = p.args;
    if (sub === undefined || all(p, 'filename').length) {
      for (const it of itemsFromFlags(ctx, p)) await createItem(ctx, p, it);
      return;
    }
    const gen = GENERATORS[sub];
    if (!gen) throw new CliError(`error: Unexpected args: [${p.args.join(' ')}]\nSee 'flotctl create -h' for help and examples`);
    // Words after `--` are the container's command (`create deployment web --image=busybox -- sleep 1d`).
    const dash = process.argv.indexOf('--');
    const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
    const args = command.length ? rest.slice(0, rest.length - command.length) : rest;
    let obj = gen.build(ctx, p, args, command);
    const from = sub === 'job' ? str(p, 'from') : undefined;
    if (from) obj = await jobFrom(ctx, obj.metadata.name as string, from);
    const kind = findByAlias(gen.kind) as KindInfo;
    await createObject(ctx, p, kind, obj, kind.namespaced ? ctx.namespace : undefined, undefined, gen.wrap);
  },
};
