// What every writing command shares with kubectl: --dry-run=none|client|server, --validate (server-side field
// validation, Strict by default), --field-manager, and how a result is reported (`deployment.apps/web created`,
// `(dry run)` / `(server dry run)` suffixes, or the object itself with -o name|json|yaml).
import type { KindInfo } from '../../lib/api/kinds.js';
import { apiVersionOf } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { WriteOptions } from '../../lib/client/rest.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, str } from './flags.js';
import { changedText, changeOutput } from './output.js';

export const WRITE_FLAGS = { 'dry-run': {}, validate: {}, 'field-manager': {}, output: { short: 'o' } };

export type DryRun = 'none' | 'client' | 'server';

export function dryRun(p: Parsed): DryRun {
  const v = str(p, 'dry-run') ?? 'none';
  if (v === 'none' || v === 'client' || v === 'server') return v;
  throw new CliError(`error: Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

/** The query of a write as kubectl sends it. */
export function writeOptions(p: Parsed, manager: string): WriteOptions {
  const v = (str(p, 'validate') ?? 'strict').toLowerCase();
  const fieldValidation = ({ strict: 'Strict', true: 'Strict', warn: 'Warn', ignore: 'Ignore', false: 'Ignore' } as const)[v as 'strict'];
  if (!fieldValidation) throw new CliError(`error: invalid - validate option "${v}"; must be one of: strict (or true), warn, ignore (or false)`);
  return { fieldManager: str(p, 'field-manager') ?? manager, fieldValidation, ...(dryRun(p) === 'server' ? { dryRun: 'All' as const } : {}) };
}

export function checkOutput(p: Parsed): void {
  changeOutput(str(p, 'output'));
}

/**
 * Reports one written object: the object itself with -o, else `kind.group/name VERB` plus the dry-run suffix
 * (which kubectl's patch and edit leave out: `markDryRun` false).
 */
export function printResult(ctx: Ctx, p: Parsed, kind: KindInfo, obj: KubeObject, verb: string, markDryRun = true): void {
  const typed = { apiVersion: apiVersionOf(kind), kind: kind.kind, ...obj };
  const suffix = markDryRun ? { none: '', client: ' (dry run)', server: ' (server dry run)' }[dryRun(p)] : '';
  ctx.print(changedText(str(p, 'output') ?? '', kind, typed, verb + suffix));
}
