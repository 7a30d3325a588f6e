// The flotilla binary's contract: every command answers --help/-h with its usage and exit 0; a mistake on the
// command line is exit 2 with a message naming it and nothing run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../bin/flotilla.js');
const flotilla = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const COMMANDS = ['apiserver', 'controller-manager', 'scheduler', 'hollow-nodes', 'runtime', 'node-agent', 'up', 'down', 'status', 'install', 'supervise'];

test('flotilla, flotilla --help and flotilla help list every command', () => {
  for (const args of [[], ['--help'], ['-h'], ['help']]) {
    const r = flotilla(...args);
    assert.equal(r.status, 0, `flotilla ${args.join(' ')}`);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\n  ${c} `), `${c} is listed`);
  }
  assert.match(flotilla('help', 'up').stdout, /^Usage: flotilla up \[flags\]/);
});

test('every command answers --help and -h with its usage, exit 0, before running anything', () => {
  for (const c of COMMANDS) {
    for (const h of ['--help', '-h']) {
      const r = flotilla(c, h);
      assert.equal(r.status, 0, `flotilla ${c} ${h}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: flotilla ${c} \\[flags\\]\\n`));
      assert.match(r.stdout, /\n {2}-h, --help +print this help\n/);
      assert.equal(r.stderr, '');
    }
  }
});

test('mistakes are exit 2 with the flag named and a pointer to --help', () => {
  const cases: Array<[string[], RegExp]> = [
    [['up', '--bogus'], /^flotilla up: unknown flag: --bogus\nRun "flotilla up --help" for its flags\.\n$/],
    [['scheduler', '--leader-elect', 'maybe'], /^flotilla scheduler: unexpected argument "maybe"/],
    [['controller-manager', '--concurrent-syncs', '0'], /^flotilla controller-manager: invalid argument "0" for "--concurrent-syncs" flag: must be at least 1/],
    [['apiserver', '--port'], /^flotilla apiserver: flag needs an argument: --port\n/],
    [['status', '-o', 'yaml'], /^flotilla status: invalid argument "yaml" for "--output" flag: must be one of: table, json\n/],
    [['down', 'now'], /^flotilla down: unexpected argument "now"/],
    [['nope'], /^flotilla: unknown command "nope"\n/],
  ];
  for (const [args, message] of cases) {
    const r = flotilla(...args);
    assert.equal(r.status, 2, `flotilla ${args.join(' ')}`);
    assert.match(r.stderr, message);
  }
});
