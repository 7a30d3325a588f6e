// Where the data plane's commands (nft, conntrack) run: on the host, or inside a network namespace held by a
// process (the tests build whole "nodes" out of namespaces, so nothing of theirs touches the host's tables).
import { run, type RunResult } from '../runtime/proc.js';

/** Runs a command to completion; never rejects for a non-zero exit (see RunResult.code). */
export type CommandRunner = (cmd: string, args: string[], input?: string) => Promise<RunResult>;

/** Commands run in this process's own network namespace. */
export const hostRunner: CommandRunner = (cmd, args, input) => run(cmd, args, { input, timeoutMs: 120_000 });

/** Commands run inside the network namespace of process `pid` (nsenter; needs root). */
export function netnsRunner(pid: number): CommandRunner {
  return (cmd, args, input) => run('nsenter', [`--net=/proc/${pid}/ns/net`, '--', cmd, ...args], { input, timeoutMs: 120_000 });
}
