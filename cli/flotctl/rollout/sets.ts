// `rollout history` and `rollout undo` for DaemonSets and StatefulSets, as kubectl 1.32 does them: the history is
// the set's ControllerRevisions (revisions.ts); undo sends the chosen revision's data to the set as a strategic
// merge patch, unless the set already runs that template.
import type { KubeObject } from '../../../lib/api/types.js';
import type { Ctx } from '../context.js';
import type { DryRun } from '../write.js';
import { changedText } from '../output.js';
import { type Found, tabbed } from './common.js';
import { describePodTemplate } from './podtemplate.js';
import { alreadyCurrent, CHANGE_CAUSE, findRevision, revisionOf, setRevisions, templateAt, typedView } from './revisions.js';

const kindOf = (f: Found) => f.target.kind.kind as 'DaemonSet' | 'StatefulSet';

/** Revisions by number, ascending; a number listed twice keeps its last revision (kubectl builds a map). */
function byNumber(revs: KubeObject[]): Map<number, KubeObject> {
  const m = new Map<number, KubeObject>();
  for (const r of revs) m.set(revisionOf(r), r);
  return new Map([...m].sort((a, b) => a[0] - b[0]));
}

/** One set's `rollout history`: the table, one revision's template, or (-o) the set as each revision makes it. */
export async function setHistory(ctx: Ctx, f: Found, revision: number, output: string, errs: unknown[], printDoc: (text: string) => void): Promise<void> {
  const set = f.obj;
  const revs = byNumber(await setRevisions(ctx, set));
  if (output) {
    if (revision > 0 && !revs.has(revision)) {
      // kubectl 1.32 panics here (it prints a nil object); an error is the kinder answer
      errs.push(new Error('unable to find the specified revision'));
      return;
    }
    for (const [n, r] of revs) if (!revision || n === revision) printDoc(changedText(output, f.target.kind, typedView(kindOf(f), templateOnly(set, r)), ''));
    return;
  }
  let body: string;
  if (!revs.size) body = 'No rollout history found.';
  else if (revision > 0) {
    const r = revs.get(revision);
    if (!r) {
      errs.push(new Error('unable to find the specified revision'));
      return;
    }
    body = describePodTemplate(templateAt(set, r));
  } else {
    body = tabbed([['REVISION', 'CHANGE-CAUSE'], ...[...revs].map(([n, r]) => [String(n), r.metadata.annotations?.[CHANGE_CAUSE] || '<none>'])]);
  }
  ctx.print(changedText('', f.target.kind, set, `${revision > 0 ? `with revision #${revision}` : ''}\n${body}`));
}

/** The set with revision r's template and nothing else of r (its metadata stays the set's). */
function templateOnly(set: KubeObject, r: KubeObject): KubeObject {
  return { ...set, spec: { ...set.spec, template: templateAt(set, r) } } as KubeObject;
}

const notFound = (to: number) => new Error(`unable to find specified revision ${to} in history`);

/** One set's `rollout undo`: kubectl's checks in kubectl's order, then the patch (or what it would do). */
export async function setUndo(ctx: Ctx, f: Found, to: number, dry: DryRun, output: string): Promise<void> {
  const suffix = { none: '', client: ' (dry run)', server: ' (server dry run)' }[dry];
  if (to < 0) throw notFound(to);
  const set = f.obj;
  const revs = await setRevisions(ctx, set);
  if (to === 0 && revs.length <= 1) throw new Error('no last revision to roll back to');
  const r = findRevision(revs, to);
  if (!r) throw notFound(to);
  if (dry === 'client') {
    ctx.print(changedText(output, f.target.kind, set, `will roll back to ${describePodTemplate(templateAt(set, r))}${suffix}`));
    return;
  }
  if (alreadyCurrent(set, r)) {
    ctx.print(changedText(output, f.target.kind, set, `skipped rollback (current template already matches revision ${to})${suffix}`));
    return;
  }
  try {
    await ctx.client.patch(f.target.kind, f.target.name, r.data, 'strategic', { namespace: f.target.namespace, ...(dry === 'server' ? { dryRun: 'All' as const } : {}) });
  } catch (e) {
    throw new Error(`failed restoring revision ${to}: ${(e as Error).message}`);
  }
  ctx.print(changedText(output, f.target.kind, set, `rolled back${suffix}`));
}
