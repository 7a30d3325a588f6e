// `create -f`, and the generators users type by heart: `create deployment NAME --image=IMG [--replicas=N]
// [--port=P] [-- COMMAND...]`, `create namespace NAME`, `create configmap NAME` and `create secret generic NAME`
// (--from-literal, --from-file, --from-env-file). Objects are built as kubectl builds them, Go zero values included,
// so `--dry-run=client -o yaml` prints the same manifest kubectl prints.
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
import { FILE_FLAGS } from './targets.js';
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

const namespace = (ctx: Ctx, p: Parsed, args: string[]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ctx, oneName(p, args, 'namespace'), false), spec: {}, status: {} }) as KubeObject;

type Generator = { kind: string; wrap?: string; build: (ctx: Ctx, p: Parsed, args: string[], command: string[]) => KubeObject };
const DEPLOYMENT: Generator = { kind: 'deployments', wrap: 'failed to create deployment: ', build: deployment };
const NAMESPACE: Generator = { kind: 'namespaces', build: namespace };
const CONFIGMAP: Generator = { kind: 'configmaps', wrap: 'failed to create configmap: ', build: configMap };
const GENERATORS: Record<string, Generator> = {
  deployment: DEPLOYMENT, deploy: DEPLOYMENT, namespace: NAMESPACE, ns: NAMESPACE, configmap: CONFIGMAP, cm: CONFIGMAP,
  secret: { kind: 'secrets', wrap: 'failed to create secret ', build: secret },
};

export const command: Command = {
  short: 'Create a resource from a file or from stdin',
  subcommands: ['deployment', 'namespace', 'configmap', 'secret'],
  flags: {
    ...FILE_FLAGS, ...WRITE_FLAGS, 'save-config': { bool: true },
    image: { multi: true }, replicas: { short: 'r' }, port: {}, 'from-literal': { multi: true }, 'from-file': { multi: true }, 'from-env-file': { multi: true }, type: {},
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
    const obj = gen.build(ctx, p, args, command);
    const kind = findByAlias(gen.kind) as KindInfo;
    await createObject(ctx, p, kind, obj, kind.namespaced ? ctx.namespace : undefined, undefined, gen.wrap);
  },
};
