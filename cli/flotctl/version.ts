// `version`: the client's version, and the server's unless --client.
import type { Command } from './command.js';
import type { Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { toJson, toYaml } from './output.js';

export const CLIENT_VERSION = { major: '0', minor: '1', gitVersion: 'v0.1.0-flotctl', platform: `${process.platform}/${process.arch}` };

export async function version(ctx: Ctx | undefined, p: Parsed): Promise<void> {
  const o = str(p, 'output');
  const server = ctx && !bool(p, 'client') ? await ctx.client.request<Record<string, string>>({ method: 'GET', path: '/version' }) : undefined;
  if (o === 'json' || o === 'yaml') {
    const doc = { clientVersion: CLIENT_VERSION, ...(server ? { serverVersion: server } : {}) };
    process.stdout.write(o === 'json' ? toJson(doc) : toYaml(doc));
    return;
  }
  process.stdout.write(`Client Version: ${CLIENT_VERSION.gitVersion}\n${server ? `Server Version: ${server.gitVersion}\n` : ''}`);
}

export const command: Command = {
  short: 'Print the client and server version information',
  flags: { client: { bool: true }, output: { short: 'o' } },
  run: (ctx, p) => version(bool(p, 'client') ? undefined : ctx, p),
};
