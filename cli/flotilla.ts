// `flotilla COMMAND [flags]`: runs one part of the control plane in this process, or manages a local cluster (up,
// down, status, install). Each command's flags and usage come from one table (commands/*.ts); a command loads its
// component's code only when it runs. Exit codes: 0 done (and `--help`), 1 failed, 2 a mistake on the command line.
import { parseFlags, usage, UsageError } from './flags.js';
import { watchSupervisor } from './signals.js';
import { apiserver } from './commands/apiserver.js';
import { up, down, status, install, installAgent } from './commands/cluster.js';
import type { Command } from './commands/command.js';
import { controllerManager } from './commands/controller-manager.js';
import { hollowNodes } from './commands/hollow-nodes.js';
import { nodeAgent } from './commands/node-agent.js';
import { runtime } from './commands/runtime.js';
import { scheduler } from './commands/scheduler.js';
import { supervise } from './commands/supervise.js';
import { dashboard } from './commands/dashboard.js';
import { agent } from './commands/agent.js';
import { token } from './commands/token.js';
import { nodeAdd, nodeRemove } from './commands/node.js';
import { etcdSnapshotLs, etcdSnapshotRestore, etcdSnapshotSave } from './commands/etcd-snapshot.js';

const COMMANDS: Command[] = [apiserver, controllerManager, scheduler, hollowNodes, runtime, nodeAgent, up, down, status, install, dashboard, supervise,
  agent, token, installAgent, nodeAdd, nodeRemove, etcdSnapshotSave, etcdSnapshotLs, etcdSnapshotRestore];

function mainUsage(): string {
  const shown = COMMANDS.filter((c) => !c.spec.hidden);
  const width = Math.max(...shown.map((c) => c.spec.name.length)) + 2;
  return `Usage: flotilla COMMAND [flags]

Commands:
${shown.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`).join('\n')}

Run "flotilla COMMAND --help" for a command's flags.
`;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const cmd = name === 'help' && rest[0] ? COMMANDS.find((c) => c.spec.name === rest.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.spec.name === rest[0]) : undefined;
    process.stdout.write(cmd ? usage(cmd.spec) : mainUsage());
    return;
  }
  // a command of two words (`token create`) is looked up by both
  const twoWords = rest[0] !== undefined ? COMMANDS.find((c) => c.spec.name === `${name} ${rest[0]}`) : undefined;
  const cmd = twoWords ?? COMMANDS.find((c) => c.spec.name === name);
  if (twoWords) rest.shift();
  if (!cmd) {
    process.stderr.write(`flotilla: unknown command "${name}"\n\n${mainUsage()}`);
    process.exit(2);
  }
  let flags;
  try {
    flags = parseFlags(cmd.spec, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`flotilla ${cmd.spec.name}: ${e.message}\nRun "flotilla ${cmd.spec.name} --help" for its flags.\n`);
    process.exit(2);
  }
  if (flags === 'help') {
    process.stdout.write(usage(cmd.spec));
    return;
  }
  watchSupervisor();
  await cmd.run(flags);
}

main().catch((e: Error) => {
  process.stderr.write(`flotilla: ${e.message}\n`);
  process.exit(1);
});
