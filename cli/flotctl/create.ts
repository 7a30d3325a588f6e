// `create -f`: create the objects of manifests, failing on any that exists.
import type { Command } from './command.js';
import type { Ctx } from './context.js';
import { type Item, itemsFromFlags } from './manifests.js';
import { kindRef } from './output.js';
import { FILE_FLAGS } from './targets.js';

export async function createItem(ctx: Ctx, it: Item): Promise<void> {
  try {
    const created = await ctx.client.create(it.kind, it.obj, { namespace: it.namespace });
    ctx.print(`${kindRef(it.kind)}/${created.metadata.name} created\n`);
  } catch (e) {
    ctx.fail(e, `error when creating "${it.source}": `);
  }
}

export const command: Command = {
  short: 'Create a resource from a file or from stdin',
  flags: { ...FILE_FLAGS },
  run: async (ctx, p) => {
    for (const it of itemsFromFlags(ctx, p)) await createItem(ctx, it);
  },
};
