// `flotilla install` writes a unit systemd accepts. systemd doesn't run here: the unit is checked by its content and,
// when systemd-analyze is installed, by `systemd-analyze verify` (which must print nothing: it reports bad settings
// on stderr and still exits 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentUnitFile } from './install.js';

const BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../bin/flotilla.js');
const flotilla = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;

/** The [Section] Key=Value lines of a unit (comments and blanks dropped). */
function settings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) section = s[1] as string;
    else {
      const i = line.indexOf('=');
      const key = `${section}.${line.slice(0, i)}`;
      out.set(key, [...(out.get(key) ?? []), line.slice(i + 1)]);
    }
  }
  return out;
}

test('install --prefix writes one unit running the supervisor with the cluster\'s flags', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'flotilla-install-'));
  try {
    const flags = ['--data-dir', '/var/lib/flotilla-test', '--port', '7443', '--node-name', 'host-1', '--hollow-nodes', '2', '--etcd-client-port', '12379'];
    const r = flotilla(['install', '--prefix', prefix, ...flags]);
    assert.equal(r.status, 0, r.stderr);
    const file = join(prefix, 'etc/systemd/system/flotilla.service');
    assert.match(r.stdout, new RegExp(`wrote ${file}`));
    assert.equal(statSync(file).mode & 0o777, 0o644);
    const u = settings(readFileSync(file, 'utf8'));
    const supervise = '--data-dir /var/lib/flotilla-test --port 7443 --registry-port 5000 --node-agent-port 10250 '
      + '--node-name host-1 --hollow-nodes 2 --etcd-client-port 12379';
    assert.deepEqual(u.get('Service.ExecStart'), [`${process.execPath} ${BIN} supervise ${supervise}`]);
    assert.deepEqual(u.get('Service.Restart'), ['always']);
    assert.deepEqual(u.get('Service.KillMode'), ['process'], 'SIGTERM to the supervisor only: it stops the components in order');
    assert.deepEqual(u.get('Service.Type'), ['exec']);
    assert.ok(Number(/\d+/.exec(u.get('Service.TimeoutStopSec')?.[0] ?? '')?.[0]) >= 120, 'time for the runtime to drain the pods');
    assert.deepEqual(u.get('Unit.After'), ['network-online.target']);
    assert.deepEqual(u.get('Unit.Wants'), ['network-online.target']);
    assert.deepEqual(u.get('Install.WantedBy'), ['multi-user.target']);
    // the flags written are ones `flotilla supervise` accepts
    const args = (u.get('Service.ExecStart')?.[0] as string).split(' ').slice(2);
    const help = flotilla([...args, '--help']);
    assert.equal(help.status, 0);
    for (const flag of args.filter((a) => a.startsWith('--'))) assert.match(help.stdout, new RegExp(`${flag}\\b`), `supervise knows ${flag}`);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test('install --dry-run prints the unit and writes nothing', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'flotilla-install-'));
  try {
    const r = flotilla(['install', '--dry-run', '--prefix', prefix]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# \/etc\/systemd\/system\/flotilla\.service\n/);
    assert.match(r.stdout, /\nExecStart=\S+ \S+ supervise --data-dir \/var\/lib\/flotilla /);
    assert.equal(existsSync(join(prefix, 'etc')), false);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

const noAnalyze = 'systemd-analyze is not installed here: the unit\'s syntax is not checked by systemd (content checks above still ran)';
test('systemd-analyze verify accepts the unit, without a warning', { skip: analyze ? false : noAnalyze }, () => {
  const prefix = mkdtempSync(join(tmpdir(), 'flotilla-install-'));
  try {
    assert.equal(flotilla(['install', '--prefix', prefix, '--data-dir', '/var/lib/flotilla "quoted"']).status, 0);
    const r = spawnSync('systemd-analyze', ['verify', join(prefix, 'etc/systemd/system/flotilla.service')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warnings');
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test("the agent's unit runs flotilla agent with the join flags, stopped in order by the agent itself", () => {
  const text = agentUnitFile(['--server', 'https://10.0.0.1:6443', '--token-file', '/var/lib/flotilla/token', '--ca-file', '/etc/flotilla ca.crt'], { node: '/usr/bin/node', bin: '/opt/flotilla/bin/flotilla.js' });
  assert.match(text, /^ExecStart=\/usr\/bin\/node \/opt\/flotilla\/bin\/flotilla\.js agent --server https:\/\/10\.0\.0\.1:6443 --token-file \/var\/lib\/flotilla\/token --ca-file "\/etc\/flotilla ca\.crt"$/m);
  assert.match(text, /^KillMode=process$/m);
  assert.match(text, /^Restart=always$/m);
  assert.match(text, /^WantedBy=multi-user\.target$/m);
});
