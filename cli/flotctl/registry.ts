// Every flotctl command, by name, with the module that implements it (loaded on demand).
import type { Command } from './command.js';

export const COMMANDS: Record<string, () => Promise<Command>> = {
  apply: async () => (await import('./apply.js')).command,
  create: async () => (await import('./create.js')).command,
  get: async () => (await import('./get.js')).command,
  delete: async () => (await import('./delete.js')).command,
  scale: async () => (await import('./scale.js')).command,
  run: async () => (await import('./run.js')).command,
  label: async () => (await import('./label.js')).label,
  annotate: async () => (await import('./label.js')).annotate,
  describe: async () => (await import('./describe.js')).command,
  edit: async () => (await import('./edit.js')).command,
  patch: async () => (await import('./patch.js')).command,
  rollout: async () => (await import('./rollout.js')).command,
  cordon: async () => (await import('./drain.js')).cordon,
  uncordon: async () => (await import('./drain.js')).uncordon,
  drain: async () => (await import('./drain.js')).drain,
  wait: async () => (await import('./wait.js')).command,
  logs: async () => (await import('./logs.js')).command,
  exec: async () => (await import('./exec.js')).command,
  attach: async () => (await import('./attach.js')).command,
  debug: async () => (await import('./debug.js')).command,
  cp: async () => (await import('./cp.js')).command,
  'port-forward': async () => (await import('./port-forward.js')).command,
  top: async () => (await import('./top.js')).command,
  'api-resources': async () => (await import('./api-resources.js')).command,
  compose: async () => (await import('./compose/command.js')).command,
  image: async () => (await import('./image/command.js')).command,
  config: async () => (await import('./config.js')).command,
  completion: async () => (await import('./completion.js')).command,
  version: async () => (await import('./version.js')).command,
};
// Hidden (not enumerable, so not in help or completion): what the shell completion script calls.
Object.defineProperty(COMMANDS, '__complete', { value: async () => (await import('./complete.js')).command, enumerable: false });

export const commandNames = () => Object.keys(COMMANDS);
export const loadCommand = (name: string) => COMMANDS[name]?.();
