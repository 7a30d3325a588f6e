// `patch`: a strategic merge (default), JSON merge or JSON patch sent to the server, given inline (-p, YAML or JSON)
// or from a file (--patch-file). "patched (no change)" when the server kept the object as it was.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../../lib/api/types.js';
import type { PatchType } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import './fieldhints.js'; // "did you mean" for unknown fields in server errors
import { CliError, type Ctx } from './context.js';
import { type Parsed, str } from './flags.js';
import { FILE_FLAGS, resolveTargets } from './targets.js';
import { checkOutput, dryRun, printResult, WRITE_FLAGS, writeOptions } from './write.js';

const TYPES = ['json', 'merge', 'strategic'];

/** kubectl turns a YAML patch into JSON before sending it. */
function patchBody(text: string): unknown {
  try {
    return parse(text, { schema: 'yaml-1.1' });
  } catch (e) {
    throw new CliError(`error: unable to parse "${text}": ${(e as Error).message.split('\n')[0]}`);
  }
}

async function run(ctx: Ctx, p: Parsed): Promise<void> {
  checkOutput(p);
  const dry = dryRun(p);
  const type = str(p, 'type') ?? 'strategic';
  if (!TYPES.includes(type)) throw new CliError(`error: --type must be one of [${TYPES.join(' ')}], not "${type}"`);
  let text = str(p, 'patch');
  const file = str(p, 'patch-file');
  if (text !== undefined && file !== undefined) throw new CliError('error: cannot specify --patch and --patch-file together');
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`error: unable to read patch file: ${(e as Error).message}`);
    }
  }
  if (!text) throw new CliError('error: must specify --patch or --patch-file containing the contents of the patch');
  const body = patchBody(text);
  const subresource = str(p, 'subresource');
  for (const t of await resolveTargets(ctx, p, p.args, 'patch')) {
    try {
      const before = await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
      // A client dry run only shows what would be sent; the server is asked nothing but the object.
      const after: KubeObject = dry === 'client'
        ? before
        : await ctx.client.patch(t.kind, t.name, body, type as PatchType, { namespace: t.namespace, subresource, ...writeOptions(p, 'kubectl-patch'), fieldValidation: undefined });
      if (subresource === 'scale') {
        ctx.print(`scale.autoscaling/${t.name} patched\n`);
        continue;
      }
      const unchanged = dry === 'none' && after.metadata.resourceVersion === before.metadata.resourceVersion;
      printResult(ctx, p, t.kind, after, unchanged ? 'patched (no change)' : 'patched', false);
    } catch (e) {
      ctx.fail(e);
    }
  }
}

export const command: Command = {
  short: 'Update fields of a resource',
  flags: { ...FILE_FLAGS, ...WRITE_FLAGS, patch: { short: 'p' }, 'patch-file': {}, type: {}, subresource: {} },
  run,
};
