import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBool, parseFlags, usage, UsageError, wantsHelp, type CommandSpec, type Flags } from './flags.js';
import { controllerManager } from './commands/controller-manager.js';
import { apiserver } from './commands/apiserver.js';
import { status } from './commands/cluster.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A command for the tests',
  flags: [
    { name: 'port', type: 'int', value: 'N', help: 'a port', default: 6443 },
    { name: 'leader-elect', type: 'bool', help: 'campaign', default: true },
    { name: 'verbose', type: 'bool', help: 'talk', default: false },
    { name: 'period', type: 'seconds', value: 'S', help: 'a period', default: 40 },
    { name: 'name', type: 'string', value: 'NAME', help: 'a name', defaultText: 'the host name' },
    { name: 'output', short: 'o', type: 'string', value: 'FORMAT', help: 'table or json', default: 'table', choices: ['table', 'json'] },
  ],
};

const parse = (...argv: string[]) => {
  const f = parseFlags(spec, argv);
  assert.notEqual(f, 'help');
  return f as Flags;
};
const fails = (argv: string[], message: string | RegExp) => assert.throws(() => parseFlags(spec, argv), (e: Error) => {
  assert.ok(e instanceof UsageError, `a UsageError, not ${e.name}`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message, message);
  return true;
});

test('defaults apply when a flag is not given, and given() tells them apart', () => {
  const f = parse();
  assert.equal(f.int('port'), 6443);
  assert.equal(f.bool('leader-elect'), true);
  assert.equal(f.bool('verbose'), false);
  assert.equal(f.ms('period'), 40_000);
  assert.equal(f.string('name'), undefined);
  assert.equal(f.given('port'), false);
  assert.equal(parse('--port', '6443').given('port'), true);
});

test('--flag value and --flag=value; the last one wins', () => {
  assert.equal(parse('--port', '7000').int('port'), 7000);
  assert.equal(parse('--port=7001').int('port'), 7001);
  assert.equal(parse('--port=1', '--port', '2').int('port'), 2);
  assert.equal(parse('--name', 'x y').string('name'), 'x y');
});

test('booleans: --flag, --flag=false and --flag false (the form the usage shows) all mean what they say', () => {
  assert.equal(parse('--leader-elect', 'false').bool('leader-elect'), false, '--leader-elect false turns it off');
  assert.equal(parse('--leader-elect=false').bool('leader-elect'), false);
  assert.equal(parse('--leader-elect', 'False').bool('leader-elect'), false);
  assert.equal(parse('--leader-elect=0').bool('leader-elect'), false);
  assert.equal(parse('--verbose').bool('verbose'), true);
  assert.equal(parse('--verbose', 'true').bool('verbose'), true);
  assert.equal(parse('--verbose', '--port', '1').bool('verbose'), true, 'a bare boolean followed by another flag');
  assert.equal(parse('--verbose', '--port', '1').int('port'), 1);
  fails(['--verbose', 'maybe'], 'unexpected argument "maybe": this command takes flags only');
  fails(['--verbose=maybe'], 'invalid argument "maybe" for "--verbose" flag: not a boolean (true or false)');
});

test('Go\'s ParseBool spellings', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(t), true, t);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBool(f), false, f);
  assert.equal(parseBool('yes'), undefined);
});

test('seconds take an integer or a Go duration', () => {
  assert.equal(parse('--period', '5').ms('period'), 5000);
  assert.equal(parse('--period', '1m30s').ms('period'), 90_000);
  assert.equal(parse('--period=250ms').ms('period'), 250);
  fails(['--period', '5x'], 'invalid argument "5x" for "--period" flag: time: unknown unit "x" in duration "5x"');
  fails(['--period=-1s'], 'invalid argument "-1s" for "--period" flag: must not be negative');
});

test('mistakes are usage errors that name the flag', () => {
  fails(['--bogus'], 'unknown flag: --bogus');
  fails(['--bogus=1'], 'unknown flag: --bogus');
  fails(['-x'], "unknown shorthand flag: 'x' in -x");
  fails(['--port'], 'flag needs an argument: --port');
  fails(['--port', '-5'], /^flag needs an argument: --port \(to pass a value starting with '-', write --port=-5\)$/);
  fails(['--port', 'abc'], 'invalid argument "abc" for "--port" flag: not an integer');
  fails(['--port=-5'], 'invalid argument "-5" for "--port" flag: must be at least 0');
  fails(['--port', '99999999999999999999'], 'invalid argument "99999999999999999999" for "--port" flag: out of range');
  fails(['extra'], 'unexpected argument "extra": this command takes flags only');
  fails(['-o', 'yaml'], 'invalid argument "yaml" for "--output" flag: must be one of: table, json');
});

test('short flags: -o json, -ojson', () => {
  assert.equal(parse('-o', 'json').string('output'), 'json');
  assert.equal(parse('-ojson').string('output'), 'json');
  assert.equal(parse('--output=json').string('output'), 'json');
});

test('--help and -h anywhere before -- ask for the usage, even next to a mistake', () => {
  assert.equal(parseFlags(spec, ['--help']), 'help');
  assert.equal(parseFlags(spec, ['-h']), 'help');
  assert.equal(parseFlags(spec, ['--port', '1', '--help']), 'help');
  assert.equal(parseFlags(spec, ['--bogus', '-h']), 'help');
  assert.equal(wantsHelp(['--', '--help']), false);
  assert.equal(wantsHelp(['--help=false']), false);
});

test('the usage is built from the same table: every flag, its value, its default', () => {
  const u = usage(spec);
  assert.match(u, /^Usage: flotilla demo \[flags\]\n\nA command for the tests\n\nFlags:\n/);
  for (const f of spec.flags) assert.match(u, new RegExp(`--${f.name}\\b`), `--${f.name} is in the usage`);
  assert.match(u, /--port N\s+a port \(default 6443\)/);
  assert.match(u, /--leader-elect BOOL\s+campaign \(default true\)/);
  assert.match(u, /--name NAME\s+a name \(default the host name\)/);
  assert.match(u, /-o, --output FORMAT\s+table or json \(default table\)/);
  assert.match(u, /-h, --help\s+print this help/);
});

test('the real commands: controller-manager --leader-elect false, apiserver and status flags', () => {
  const cm = parseFlags(controllerManager.spec, ['--leader-elect', 'false', '--node-monitor-grace-period', '4', '--kubeconfig', '/k']) as Flags;
  assert.equal(cm.bool('leader-elect'), false);
  assert.equal(cm.ms('node-monitor-grace-period'), 4000);
  assert.equal(cm.string('kubeconfig'), '/k');
  assert.equal((parseFlags(controllerManager.spec, []) as Flags).bool('leader-elect'), true);
  const api = parseFlags(apiserver.spec, ['--port', '0', '--etcd-servers', 'http://a:1,http://b:2', '--watch-bookmark-interval', '5']) as Flags;
  assert.equal(api.int('port'), 0);
  assert.equal(api.ms('watch-bookmark-interval'), 5000);
  assert.throws(() => parseFlags(apiserver.spec, ['--default-watch-cache-size', '0']), /must be at least 1/);
  assert.equal((parseFlags(status.spec, ['-o', 'json']) as Flags).string('output'), 'json');
});

test('a repeatable flag keeps every value in order (--service-account-key-file); a plain one keeps the last', () => {
  const f = parseFlags(apiserver.spec, ['--service-account-key-file', 'a.pub', '--service-account-key-file=b.pub', '--port', '1', '--port', '2']) as Flags;
  assert.deepEqual(f.strings('service-account-key-file'), ['a.pub', 'b.pub']);
  assert.equal(f.string('service-account-key-file'), 'b.pub');
  assert.equal(f.int('port'), 2);
  assert.deepEqual((parseFlags(apiserver.spec, []) as Flags).strings('service-account-key-file'), []);
  assert.deepEqual((parseFlags(apiserver.spec, []) as Flags).strings('service-account-issuer'), []);
  assert.throws(() => parseFlags(apiserver.spec, ['--testing-min-token-expiration', '0']), UsageError);
});

test('controller-manager: the node IPAM flags, checked before anything starts', async () => {
  const { nodeIpamFromFlags } = await import('./commands/controller-manager.js');
  const cm = (...argv: string[]) => nodeIpamFromFlags(parseFlags(controllerManager.spec, argv) as Flags);
  assert.equal(cm(), undefined);
  assert.deepEqual(cm('--allocate-node-cidrs', '--cluster-cidr', '10.244.0.0/16'), { clusterCIDRs: ['10.244.0.0/16'], nodeCIDRMaskSizes: [24] });
  assert.deepEqual(cm('--allocate-node-cidrs=true', '--cluster-cidr=10.244.0.0/16', '--node-cidr-mask-size=26'), { clusterCIDRs: ['10.244.0.0/16'], nodeCIDRMaskSizes: [26] });
  assert.throws(() => cm('--allocate-node-cidrs'), (e: Error) => e instanceof UsageError && /--cluster-cidr is required/.test(e.message));
  assert.throws(() => cm('--allocate-node-cidrs', '--cluster-cidr', '10.0.0.0/8', '--node-cidr-mask-size', '28'), (e: Error) => e instanceof UsageError && /too big/.test(e.message));
  assert.match(usage(controllerManager.spec), /--cluster-cidr CIDR/);
});
