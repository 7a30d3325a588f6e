import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chain, emptyRuleset, fullTransaction, incrementalTransaction, set, type Ruleset } from './ruleset.js';

function sample(eps: string[], opts: { affinityTimeout?: number } = {}): Ruleset {
  const rs = emptyRuleset('ip', 'flotilla-proxy-x', 'test');
  const m = set(rs, 'service-ips', ['type ipv4_addr . inet_proto . inet_service : verdict']);
  chain(rs, 'nat-prerouting', { type: 'nat', hook: 'prerouting', priority: 'dstnat' }).push('ip daddr . meta l4proto . th dport vmap @service-ips');
  if (opts.affinityTimeout) set(rs, 'aff', ['type ipv4_addr', 'flags dynamic,timeout', `timeout ${opts.affinityTimeout}s`], true).set('ignored', '');
  for (const ep of eps) chain(rs, `ep-${ep}`).push(`meta l4proto tcp dnat to ${ep}:80`);
  if (eps.length) {
    chain(rs, 'svc').push(`numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ep-${e}`).join(', ')} }`);
    m.set('10.96.0.1 . tcp . 80', 'goto svc');
  }
  return rs;
}

test('a full transaction replaces the table: declared, then deleted, then rebuilt with sets before chains before elements before rules', () => {
  const s = fullTransaction(sample(['10.0.0.1'], { affinityTimeout: 60 })).split('\n');
  assert.deepEqual(s.slice(0, 3), ['add table ip flotilla-proxy-x', 'delete table ip flotilla-proxy-x', 'add table ip flotilla-proxy-x { comment "test"; }']);
  const idx = (re: RegExp) => s.findIndex((l) => re.test(l));
  assert.ok(idx(/^add map .* service-ips \{ type ipv4_addr \. inet_proto \. inet_service : verdict; \}$/) < idx(/^add chain .* nat-prerouting \{ type nat hook prerouting priority dstnat; policy accept; \}$/));
  assert.ok(idx(/^add chain .* svc$/) < idx(/^add element .* service-ips \{ 10\.96\.0\.1 \. tcp \. 80 : goto svc \}$/));
  assert.ok(idx(/^add element/) < idx(/^add rule .* svc numgen/));
  assert.ok(!s.some((l) => l.includes('ignored')), 'a dynamic set\'s elements are the kernel\'s');
});

test('incremental: unchanged is empty; a changed chain is flushed and refilled; removed chains go after their references', () => {
  const a = sample(['10.0.0.1', '10.0.0.2']);
  assert.equal(incrementalTransaction(a, sample(['10.0.0.1', '10.0.0.2'])), '');
  const t = (incrementalTransaction(a, sample(['10.0.0.2'])) as string).split('\n').filter(Boolean);
  assert.deepEqual(t, [
    'flush chain ip flotilla-proxy-x svc',
    'flush chain ip flotilla-proxy-x ep-10.0.0.1',
    'add rule ip flotilla-proxy-x svc numgen random mod 1 vmap { 0 : goto ep-10.0.0.2 }',
    'delete chain ip flotilla-proxy-x ep-10.0.0.1',
  ]);
});

test('incremental: map elements are diffed by key (changed values deleted and re-added); new chains exist before elements name them', () => {
  const a = sample([]);
  const b = sample(['10.0.0.3']);
  const t = (incrementalTransaction(a, b) as string).split('\n').filter(Boolean);
  assert.deepEqual(t, [
    'add chain ip flotilla-proxy-x ep-10.0.0.3',
    'add chain ip flotilla-proxy-x svc',
    'add element ip flotilla-proxy-x service-ips { 10.96.0.1 . tcp . 80 : goto svc }',
    'add rule ip flotilla-proxy-x ep-10.0.0.3 meta l4proto tcp dnat to 10.0.0.3:80',
    'add rule ip flotilla-proxy-x svc numgen random mod 1 vmap { 0 : goto ep-10.0.0.3 }',
  ]);
  const c = sample(['10.0.0.3']);
  (c.sets.get('service-ips') as { elements: Map<string, string> }).elements.set('10.96.0.1 . tcp . 80', 'drop');
  const back = (incrementalTransaction(b, c) as string).split('\n').filter(Boolean);
  assert.deepEqual(back, [
    'delete element ip flotilla-proxy-x service-ips { 10.96.0.1 . tcp . 80 }',
    'add element ip flotilla-proxy-x service-ips { 10.96.0.1 . tcp . 80 : drop }',
  ]);
  const gone = (incrementalTransaction(b, a) as string).split('\n').filter(Boolean);
  assert.deepEqual(gone.slice(-2), ['delete chain ip flotilla-proxy-x ep-10.0.0.3', 'delete chain ip flotilla-proxy-x svc']);
  assert.ok(gone.indexOf('delete element ip flotilla-proxy-x service-ips { 10.96.0.1 . tcp . 80 }') < gone.indexOf('delete chain ip flotilla-proxy-x svc'));
});

test('incremental: a set declared differently under the same name, or another table, needs a full replacement', () => {
  assert.equal(incrementalTransaction(sample([], { affinityTimeout: 60 }), sample([], { affinityTimeout: 120 })), undefined);
  const other = sample([]);
  other.table = 'flotilla-proxy-y';
  assert.equal(incrementalTransaction(sample([]), other), undefined);
  const removed = incrementalTransaction(sample([], { affinityTimeout: 60 }), sample([])) as string;
  assert.match(removed, /^delete set ip flotilla-proxy-x aff$/m);
});
