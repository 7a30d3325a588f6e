// `rollout pause`, `resume` and `restart`: one strategic merge patch per Deployment (spec.paused, or the template's
// kubectl.kubernetes.io/restartedAt annotation), with kubectl's messages, errors and field manager.
import type { KubeObject } from '../../../lib/api/types.js';
import { CliError, type Ctx } from '../context.js';
import { type Parsed, str } from '../flags.js';
import { changedText, changeOutput, resourceRef } from '../output.js';
import { type Found, fetchTargets, isDeployment, noneFound, report } from './common.js';

/** Go's time.Now().Format(time.RFC3339): local time to the second, `Z` or `+hh:mm`. */
export function rfc3339(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

interface Action {
  /** `pausing` in "pausing is not supported". */
  gerund: string;
  done: string;
  /** The patch to send, or an error worded as kubectl's (after `deployments.apps "web" `). */
  patch(d: KubeObject): unknown;
}

const ACTIONS: Record<string, Action> = {
  pause: {
    gerund: 'pausing',
    done: 'paused',
    patch: (d) => {
      if (d.spec?.paused) throw new Error('is already paused');
      return { spec: { paused: true } };
    },
  },
  resume: {
    gerund: 'resuming',
    done: 'resumed',
    patch: (d) => {
      if (!d.spec?.paused) throw new Error('is not paused');
      return { spec: { paused: null } };
    },
  },
  restart: {
    gerund: 'restarting',
    done: 'restarted',
    patch: (d) => {
      if (d.spec?.paused) throw new Error("can't restart paused deployment (run rollout resume first)");
      const now = rfc3339();
      if (d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === now) return undefined;
      return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now } } } } };
    },
  },
};

/** Runs pause, resume or restart over the named objects. */
export async function patchVerb(ctx: Ctx, p: Parsed, verb: 'pause' | 'resume' | 'restart'): Promise<void> {
  if (!p.args.length && !p.flags.has('filename')) throw new CliError('error: required resource not specified');
  const action = ACTIONS[verb] as Action;
  const output = changeOutput(str(p, 'output'));
  const errs: unknown[] = [];
  const { found } = await fetchTargets(ctx, p, `rollout ${verb}`, errs, true);
  if (!found.length && !errs.length) return noneFound(ctx);
  // kubectl works out every patch first, then sends them
  const patches: { f: Found; patch?: unknown; err?: string }[] = found.map((f) => {
    const prefix = `error: ${resourceRef(f.target.kind)} "${f.target.name}" `;
    if (!isDeployment(f.target.kind)) return { f, err: `${prefix}${action.gerund} is not supported` };
    try {
      return { f, patch: action.patch(f.obj) };
    } catch (e) {
      return { f, err: `${prefix}${(e as Error).message}` };
    }
  });
  for (const { f, patch, err } of patches) {
    if (err) {
      errs.push(new Error(err));
      continue;
    }
    if (patch === undefined) {
      errs.push(new Error(`failed to create patch for ${f.target.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`));
      continue;
    }
    try {
      const out = await ctx.client.patch(f.target.kind, f.target.name, patch, 'strategic', { namespace: f.target.namespace, fieldManager: 'kubectl-rollout' });
      ctx.print(changedText(output, f.target.kind, out, action.done));
    } catch (e) {
      errs.push(new Error(`failed to patch: ${(e as Error).message}`));
    }
  }
  report(ctx, errs);
}
