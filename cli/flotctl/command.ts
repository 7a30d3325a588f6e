// What a flotctl command module exports: its flags and what it does. main.ts loads a module only when its command is
// typed, so `flotctl get` never pays for `exec`'s WebSocket client or `apply`'s schemas.
import type { Ctx } from './context.js';
import type { FlagSpec, Parsed } from './flags.js';

export interface Command {
  /** One line for `flotctl help` and shell completion. */
  short: string;
  flags: Record<string, FlagSpec>;
  /** Subcommands (`rollout status`, `config view`), for help and completion; the module dispatches on p.args[0]. */
  subcommands?: string[];
  /**
   * Parses the words after the command itself, for commands whose arguments are not all flags of one spec
   * (`compose exec SVC sh -c ...`: what follows the service is the command's own); `before` is what preceded it.
   */
  parse?(before: string[], after: string[]): Parsed;
  run(ctx: Ctx, p: Parsed): Promise<void>;
}
