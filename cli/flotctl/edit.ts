// `edit`: the objects open in $KUBE_EDITOR / $EDITOR (else vi) as YAML (or JSON with -o json); on save, the change
// is sent as a strategic merge patch from what was shown to what was saved. A save the server refuses reopens the
// file with the server's causes as comments at the top; saving it unchanged again gives up, keeping a copy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiVersionOf } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { JsonMap } from '../../lib/api/patch/errors.js';
import { ApiError } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import './fieldhints.js'; // "did you mean" for unknown fields in server errors
import { CliError, type Ctx } from './context.js';
import { type Parsed, str } from './flags.js';
import { kindRef, resourceRef, toJson, toYaml } from './output.js';
import { FILE_FLAGS, type Target, resolveTargets } from './targets.js';
import { cursorFor, threeWayPatch } from './threeway.js';
import { LAST_APPLIED, withLastApplied } from './apply.js';
import { WRITE_FLAGS, writeOptions } from './write.js';

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** kubectl's editor rule: a plain command gets the file as its argument; one with spaces runs through sh -c. */
function launch(path: string): void {
  const editor = process.env.KUBE_EDITOR || process.env.EDITOR || 'vi';
  const r = /\s/.test(editor)
    ? spawnSync('sh', ['-c', `${editor} ${JSON.stringify(path)}`], { stdio: 'inherit' })
    : spawnSync(editor, [path], { stdio: 'inherit' });
  if (r.error) throw new CliError(`error: there was a problem with the editor "${editor}": ${r.error.message}`);
  if (r.status !== 0) throw new CliError(`error: there was a problem with the editor "${editor}"`);
}

const stripComments = (text: string) => text.split('\n').filter((l) => !l.startsWith('#')).join('\n');

/** The error comments a refused save reopens with. */
function errorComment(t: Target, e: unknown): string {
  if (e instanceof ApiError && e.reason === 'Invalid') {
    const causes = e.status.details?.causes ?? [];
    return `# ${resourceRef(t.kind)} "${t.name}" was not valid:\n${causes.map((c) => `# * ${c.field ?? ''}: ${c.message ?? ''}\n`).join('')}#\n`;
  }
  return `# ${(e as Error).message.split('\n').join('\n# ')}\n#\n`;
}

async function editOne(ctx: Ctx, p: Parsed, t: Target, json: boolean): Promise<void> {
  const live = await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
  delete live.metadata.managedFields;
  const original: KubeObject = { apiVersion: apiVersionOf(t.kind), kind: t.kind.kind, ...live };
  const body = json ? toJson(original) : toYaml(original);
  const dir = mkdtempSync(join(tmpdir(), 'flotctl-edit-'));
  const file = join(dir, `${t.name}.${json ? 'json' : 'yaml'}`);
  try {
    let shown = HEADER + body;
    let lastError: string | undefined;
    for (;;) {
      writeFileSync(file, shown);
      launch(file);
      const saved = readFileSync(file, 'utf8');
      const content = stripComments(saved);
      if (!content.trim()) {
        ctx.warn('Edit cancelled, saved file was empty.\n');
        return;
      }
      if (lastError !== undefined && content === stripComments(shown)) {
        // Reopened after an error and saved as it was: give up, keeping the user's work.
        const copy = join(tmpdir(), `flotctl-edit-${process.pid}-${Date.now()}.${json ? 'json' : 'yaml'}`);
        writeFileSync(copy, saved);
        throw new CliError(`error: ${resourceRef(t.kind)} "${t.name}" is invalid\nA copy of your changes has been stored to "${copy}"\nerror: Edit cancelled, no valid changes were saved.`);
      }
      if (content === stripComments(HEADER + body)) {
        ctx.warn('Edit cancelled, no changes made.\n');
        return;
      }
      let edited: KubeObject;
      try {
        edited = parse(content, { schema: 'yaml-1.1' }) as KubeObject;
      } catch (e) {
        lastError = `# The edited file had a syntax error: ${(e as Error).message.split('\n')[0]}\n#\n`;
        shown = HEADER + lastError + content;
        continue;
      }
      if (edited?.apiVersion !== original.apiVersion || edited.kind !== original.kind || edited.metadata?.name !== original.metadata.name) {
        lastError = '# At least one of apiVersion, kind and name was changed\n#\n';
        shown = HEADER + lastError + content;
        continue;
      }
      // Like kubectl, an object that was applied keeps its last-applied-configuration in step with the edit.
      if (original.metadata.annotations?.[LAST_APPLIED] !== undefined) edited = withLastApplied(edited);
      const patch = threeWayPatch(original as JsonMap, edited as JsonMap, original as JsonMap, cursorFor(t.kind));
      if (!Object.keys(patch).length) {
        ctx.warn('Edit cancelled, no changes made.\n');
        return;
      }
      try {
        await ctx.client.patch(t.kind, t.name, patch, 'strategic', { namespace: t.namespace, ...writeOptions(p, 'kubectl-edit') });
        ctx.print(`${kindRef(t.kind)}/${t.name} edited\n`);
        return;
      } catch (e) {
        if (!(e instanceof ApiError) || e.code >= 500) throw e;
        lastError = errorComment(t, e);
        shown = HEADER + lastError + content;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const command: Command = {
  short: 'Edit a resource on the server',
  flags: { ...FILE_FLAGS, ...WRITE_FLAGS },
  run: async (ctx, p) => {
    const o = str(p, 'output') ?? 'yaml';
    if (o !== 'yaml' && o !== 'json') throw new CliError(`error: the flag 'output' must be one of yaml|json`);
    for (const t of await resolveTargets(ctx, p, p.args, 'edit')) {
      try {
        await editOne(ctx, p, t, o === 'json');
      } catch (e) {
        ctx.fail(e);
      }
    }
  },
};
