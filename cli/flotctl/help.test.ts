import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GLOBAL_FLAGS } from './context.js';
import type { FlagSpec } from './flags.js';
import { commandHelp, wantsHelp } from './help.js';
import { COMMANDS } from './registry.js';

test('--help and -h ask for help before --; for a command with its own parser, only before its second word', () => {
  assert.equal(wantsHelp(['pods', '--help'], false), true);
  assert.equal(wantsHelp(['-h'], false), true);
  assert.equal(wantsHelp(['pod', '--', 'sh', '-h'], false), false, "exec's command line is the container's");
  assert.equal(wantsHelp(['pods', '-l', 'app=x'], false), false);
  assert.equal(wantsHelp(['exec', '--help'], true), true);
  assert.equal(wantsHelp(['exec', 'web', 'ls', '-h'], true), false, "compose exec SVC's words are the service's command");
});

test("every command's help names each flag its parser takes, and its subcommands", async () => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const cmd = await load();
    const help = commandHelp(name, cmd, GLOBAL_FLAGS);
    assert.ok(help.startsWith(cmd.short), name);
    const flags: Record<string, FlagSpec> = { ...GLOBAL_FLAGS, ...cmd.flags };
    for (const [flag, spec] of Object.entries(flags)) {
      assert.ok(help.includes(`--${flag}`), `${name} --help lists --${flag}`);
      if (spec.short) assert.ok(help.includes(`-${spec.short}, --${flag}`), `${name} --help gives -${spec.short} for --${flag}`);
    }
    for (const sub of cmd.subcommands ?? []) assert.match(help, new RegExp(`\\n  ${sub}\\n`), `${name} --help lists ${sub}`);
  }
});

test('flotctl get --help and flotctl help rollout print the help on stdout and exit 0; an unknown flag still fails', () => {
  const bin = fileURLToPath(new URL('../../../bin/flotctl.js', import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  const get = run(['get', '--help']);
  assert.equal(get.status, 0, get.stderr);
  assert.match(get.stdout, /^Display one or many resources/);
  assert.match(get.stdout, /\n {2}-o, --output=VALUE\n/);
  const rollout = run(['help', 'rollout']);
  assert.equal(rollout.status, 0, rollout.stderr);
  assert.match(rollout.stdout, /\nSubcommands:\n(.*\n)*? {2}undo\n/);
  const bad = run(['get', '--nope']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown flag: --nope\nSee 'flotctl get --help' for usage\./);
});
