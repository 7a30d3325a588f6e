// apply / create / delete -f: the per-object verbs driven by manifests.
import { isNotFound, resourcePath } from '../../lib/client/rest.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { JsonMap } from '../../lib/api/patch/errors.js';
import type { Ctx } from './context.js';
import { type Item, itemsFromFlags } from './manifests.js';
import type { Command } from './command.js';
import './fieldhints.js'; // "did you mean" for unknown fields in server errors
import { FILE_FLAGS } from './targets.js';
import { bool, str, type Parsed } from './flags.js';
import { CliError } from './context.js';
import { checkOutput, dryRun, printResult, WRITE_FLAGS, writeOptions } from './write.js';
import { cursorFor, threeWayPatch } from './threeway.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as JsonMap)[k])]));
  return v;
}
/** What Go's json.Encoder writes for an unstructured object: sorted keys, HTML escaped, trailing newline. */
const goJson = (v: unknown) => JSON.stringify(sortKeys(v)).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) + '\n';

/** The object as applied: annotations always present, last-applied = the object without that annotation. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const annotations = { ...(copy.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  copy.metadata.annotations = annotations;
  const last = goJson(copy);
  copy.metadata.annotations = { ...annotations, [LAST_APPLIED]: last };
  return copy;
}

/**
 * `apply --server-side`: the object as an apply patch (JSON is YAML), the server merging it and recording the
 * manager's fields (`kubectl` unless --field-manager); --force-conflicts takes fields other managers own.
 */
export async function serverSideApplyItem(ctx: Ctx, p: Parsed, it: Item): Promise<void> {
  const { kind, namespace, obj } = it;
  const name = obj.metadata.name as string;
  const q = new URLSearchParams({ fieldManager: str(p, 'field-manager') ?? 'kubectl' });
  if (bool(p, 'force-conflicts')) q.set('force', 'true');
  const write = writeOptions(p, 'kubectl');
  if (write.fieldValidation) q.set('fieldValidation', write.fieldValidation);
  if (write.dryRun) q.set('dryRun', write.dryRun);
  const ns = kind.namespaced ? namespace ?? ctx.namespace : undefined;
  try {
    const out = await ctx.client.request<KubeObject>({ method: 'PATCH', path: `${resourcePath(kind, ns, name)}?${q}`, body: obj, contentType: 'application/apply-patch+yaml' });
    printResult(ctx, p, kind, out, 'serverside-applied');
  } catch (e) {
    ctx.fail(e, '');
  }
}

export async function applyItem(ctx: Ctx, p: Parsed, it: Item): Promise<void> {
  const dry = dryRun(p);
  const write = writeOptions(p, 'kubectl-client-side-apply');
  const { kind, namespace, obj } = it;
  const name = obj.metadata.name as string;
  const modified = withLastApplied(obj);
  let live: KubeObject | undefined;
  try {
    live = await ctx.client.get(kind, name, { namespace });
  } catch (e) {
    if (!isNotFound(e)) return ctx.fail(e, `error when retrieving current configuration of:\nResource: "${kind.group}/${kind.version}, Resource=${kind.resource}", GroupVersionKind: "${obj.apiVersion}, Kind=${kind.kind}"\nName: "${name}", Namespace: "${namespace ?? ''}"\nfrom server for: "${it.source}": `);
  }
  if (!live) {
    try {
      const created = dry === 'client' ? modified : await ctx.client.create(kind, modified, { namespace, ...write });
      printResult(ctx, p, kind, created, 'created');
    } catch (e) {
      ctx.fail(e, `error when creating "${it.source}": `);
    }
    return;
  }
  const lastText = live.metadata.annotations?.[LAST_APPLIED];
  if (!lastText) {
    ctx.warn(`Warning: resource ${kind.resource}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`);
  }
  let original: JsonMap | undefined;
  try {
    original = lastText ? (JSON.parse(lastText) as JsonMap) : undefined;
  } catch {
    original = undefined;
  }
  const patch = threeWayPatch(original, modified as JsonMap, live as JsonMap, cursorFor(kind));
  // kubectl's client dry run never compares: an existing object is always "configured (dry run)".
  if (!Object.keys(patch).length && dry !== 'client') {
    printResult(ctx, p, kind, live, 'unchanged');
    return;
  }
  try {
    // A client dry run shows the live object as it stands; nothing is sent.
    const after = dry === 'client' ? live : await ctx.client.patch(kind, name, patch, 'strategic', { namespace, ...write });
    printResult(ctx, p, kind, after, 'configured');
  } catch (e) {
    ctx.fail(e, `error when applying patch:\n${JSON.stringify(patch)}\nto:\nResource: "${kind.group}/${kind.version}, Resource=${kind.resource}", GroupVersionKind: "${obj.apiVersion}, Kind=${kind.kind}"\nName: "${name}", Namespace: "${namespace ?? ''}"\nfor: "${it.source}": `);
  }
}

export const command: Command = {
  short: 'Apply a configuration to a resource by file name or stdin',
  flags: { ...FILE_FLAGS, ...WRITE_FLAGS, 'server-side': { bool: true }, 'force-conflicts': { bool: true } },
  run: async (ctx, p) => {
    checkOutput(p);
    const serverSide = bool(p, 'server-side');
    if (serverSide && dryRun(p) === 'client') throw new CliError('error: --dry-run=client doesn\'t work with --server-side (did you mean --dry-run=server instead?)');
    if (!serverSide && bool(p, 'force-conflicts')) throw new CliError('error: --force-conflicts only works with --server-side');
    for (const it of itemsFromFlags(ctx, p)) await (serverSide ? serverSideApplyItem(ctx, p, it) : applyItem(ctx, p, it));
  },
};
