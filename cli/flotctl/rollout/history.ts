// `rollout history` and `rollout undo` (DaemonSets and StatefulSets are in sets.ts). For Deployments both read the
// Deployment's ReplicaSets (those it controls) and their deployment.kubernetes.io/revision and
// kubernetes.io/change-cause annotations, as kubectl does; undo puts the chosen ReplicaSet's template (without
// pod-template-hash) back into the Deployment with one JSON patch.
import type { KubeObject } from '../../../lib/api/types.js';
import { KINDS } from '../../../lib/api/kinds.js';
import {
  CHANGE_CAUSE, DEPRECATED_ROLLBACK_TO, DESIRED_REPLICAS, HASH_LABEL, LAST_APPLIED, MAX_REPLICAS, REVISION, REVISION_HISTORY, equalIgnoreHash,
} from '../../../lib/api/deployment.js';
import { CliError, type Ctx } from '../context.js';
import { type Parsed, intFlag, str } from '../flags.js';
import { changedText, changeOutput } from '../output.js';
import { dryRun } from '../write.js';
import { type Found, fetchTargets, groupKind, groupKindStruct, isDeployment, report, tabbed, visitorKnows } from './common.js';
import { describePodTemplate } from './podtemplate.js';
import { isSet } from './revisions.js';
import { setHistory, setUndo } from './sets.js';

const RS = KINDS.find((k) => k.kind === 'ReplicaSet') as (typeof KINDS)[number];


/** The Deployment's ReplicaSets by revision (ones without a numeric revision are left out, as kubectl does). */
async function revisions(ctx: Ctx, d: KubeObject): Promise<Map<number, KubeObject>> {
  const list = await ctx.client.listAll(RS, { namespace: d.metadata.namespace });
  const owned = list.items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid));
  // kubectl lists the old ones, then the current one: on a duplicate number the current one wins
  owned.sort((a, b) => Number(equalIgnoreHash(a.spec?.template, d.spec?.template)) - Number(equalIgnoreHash(b.spec?.template, d.spec?.template)));
  const out = new Map<number, KubeObject>();
  for (const rs of owned) {
    const raw = rs.metadata.annotations?.[REVISION];
    if (raw === undefined) out.set(0, rs);
    else if (/^[-+]?\d+$/.test(raw)) out.set(Number(raw), rs);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function unsupported(f: Found, what: string, verb: string): Error {
  const k = f.target.kind;
  if (visitorKnows(k)) return new Error(`no ${what} has been implemented for "${groupKind(k)}"`);
  return new Error(`error retrieving ${verb} for "${groupKind(k)}", no visitor method exists for ${groupKindStruct(k)}`);
}

export async function history(ctx: Ctx, p: Parsed): Promise<void> {
  if (!p.args.length && !p.flags.has('filename')) throw new CliError('error: required resource not specified');
  const revision = intFlag(p, 'revision');
  if (revision < 0) throw new CliError(`error: revision must be a positive integer: ${revision}`);
  const output = changeOutput(str(p, 'output'));
  const errs: unknown[] = [];
  const { found } = await fetchTargets(ctx, p, 'rollout history', errs, true);
  // one printer for the whole line, as kubectl's: YAML documents after the first start with `---`
  let docs = 0;
  const printDoc = (text: string) => ctx.print((output === 'yaml' && docs++ ? '---\n' : '') + text);
  for (const f of found) {
    if (isSet(f.target.kind)) {
      await setHistory(ctx, f, revision, output, errs, printDoc);
      continue;
    }
    if (!isDeployment(f.target.kind)) {
      errs.push(unsupported(f, 'history viewer', 'history'));
      continue;
    }
    const revs = await revisions(ctx, f.obj);
    if (output) {
      if (revision > 0 && !revs.has(revision)) {
        errs.push(new Error('unable to find the specified revision'));
        continue;
      }
      for (const [n, rs] of revs) if (!revision || n === revision) printDoc(changedText(output, RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', ...rs }, ''));
      continue;
    }
    let body: string;
    if (!revs.size) body = 'No rollout history found.';
    else if (revision > 0) {
      const rs = revs.get(revision);
      if (!rs) {
        errs.push(new Error('unable to find the specified revision'));
        continue;
      }
      body = describePodTemplate(withChangeCause(rs));
    } else {
      body = tabbed([['REVISION', 'CHANGE-CAUSE'], ...[...revs].map(([n, rs]) => [String(n), rs.metadata.annotations?.[CHANGE_CAUSE] || '<none>'])]);
    }
    ctx.print(changedText('', f.target.kind, f.obj, `${revision > 0 ? `with revision #${revision}` : ''}\n${body}`));
  }
  report(ctx, errs);
}

/** The template as kubectl shows it for a revision: the ReplicaSet's change-cause copied into its annotations. */
function withChangeCause(rs: KubeObject): unknown {
  const t = structuredClone(rs.spec?.template ?? {}) as { metadata?: { annotations?: Record<string, string> } };
  const cause = rs.metadata.annotations?.[CHANGE_CAUSE];
  if (cause) t.metadata = { ...t.metadata, annotations: { ...t.metadata?.annotations, [CHANGE_CAUSE]: cause } };
  return t;
}

/** Deployment annotations kubectl keeps on undo (and never copies from the ReplicaSet). */
const KEEP = [LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO];

/** The ReplicaSet to go back to: the given revision, or the one before the latest. */
function pick(d: KubeObject, revs: Map<number, KubeObject>, to: number): KubeObject {
  if (to > 0) {
    const rs = revs.get(to);
    if (!rs) throw new Error(`unable to find specified revision ${to} in history`);
    return rs;
  }
  const nums = [...revs.keys()];
  if (nums.length < 2) throw new Error(`no rollout history found for deployment "${d.metadata.name ?? ''}"`);
  return revs.get(nums[nums.length - 2] as number) as KubeObject;
}

export async function undo(ctx: Ctx, p: Parsed): Promise<void> {
  if (!p.args.length && !p.flags.has('filename')) throw new CliError('error: required resource not specified');
  const to = intFlag(p, 'to-revision');
  const dry = dryRun(p);
  const output = changeOutput(str(p, 'output'));
  const suffix = { none: '', client: ' (dry run)', server: ' (server dry run)' }[dry];
  const errs: unknown[] = [];
  const { found } = await fetchTargets(ctx, p, 'rollout undo', errs, true);
  for (const f of found) {
    try {
      if (isSet(f.target.kind)) {
        await setUndo(ctx, f, to, dry, output);
        continue;
      }
      if (!isDeployment(f.target.kind)) throw unsupported(f, 'rollbacker', 'rollbacker');
      if (to < 0) throw new Error(`unable to find specified revision ${to} in history`);
      const d = await ctx.client.get(f.target.kind, f.target.name, { namespace: f.target.namespace });
      const rs = pick(d, await revisions(ctx, d), to);
      if (dry === 'client') {
        ctx.print(changedText(output, f.target.kind, f.obj, describePodTemplate(rs.spec?.template) + suffix));
        continue;
      }
      if (d.spec?.paused) throw new Error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
      if (equalIgnoreHash(rs.spec?.template, d.spec?.template)) {
        ctx.print(changedText(output, f.target.kind, f.obj, `skipped rollback (current template already matches revision ${to})${suffix}`));
        continue;
      }
      const template = structuredClone(rs.spec?.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
      if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
      const annotations: Record<string, string> = {};
      for (const k of KEEP) if (d.metadata.annotations?.[k] !== undefined) annotations[k] = d.metadata.annotations[k] as string;
      for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!KEEP.includes(k)) annotations[k] = v;
      const patch = [{ op: 'replace', path: '/spec/template', value: template }, { op: 'replace', path: '/metadata/annotations', value: annotations }];
      let out: KubeObject;
      try {
        out = await ctx.client.patch(f.target.kind, f.target.name, patch, 'json', { namespace: f.target.namespace, ...(dry === 'server' ? { dryRun: 'All' as const } : {}) });
      } catch (e) {
        throw new Error(`failed restoring revision ${to}: ${(e as Error).message}`);
      }
      ctx.print(changedText(output, f.target.kind, out, `rolled back${suffix}`));
    } catch (e) {
      errs.push(e);
    }
  }
  report(ctx, errs);
}
