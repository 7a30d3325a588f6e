// The adapter's scheduling with a recording runner in place of nft (no root needed): coalescing, one run at a time,
// retries after failures, the DNS answering at once, cleanup deleting exactly our tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandRunner } from './exec.js';
import { cleanupNodeNetwork, NodeNetwork } from './index.js';
import { endpoints, model, service } from './testing/fixtures.js';
import { answerLines, dnsQuery } from './testing/dns-client.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function recorder(opts: { failFirst?: number; slowMs?: number } = {}): { runner: CommandRunner; scripts: string[] } {
  const scripts: string[] = [];
  let fails = opts.failFirst ?? 0;
  const runner: CommandRunner = async (cmd, _args, input) => {
    if (cmd !== 'nft') return { code: 1, stdout: '', stderr: '0 flow entries have been deleted.' };
    if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs));
    if (fails > 0) {
      fails--;
      return { code: 1, stdout: '', stderr: 'Error: simulated' };
    }
    scripts.push(input ?? '');
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, scripts };
}

test('models given in a burst are programmed once, with the latest; every caller hears of that run', async () => {
  const { runner, scripts } = recorder();
  const net = await NodeNetwork.start({ name: 'burst', runner, debounceMs: 30, log: quiet });
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => net.sync(model({ services: [service(`s${i}`, `10.96.0.${i}`)] }))));
  // proxy and policy: one transaction each
  assert.equal(scripts.length, 2);
  assert.match(scripts[0] ?? '', /10\.96\.0\.5 \. tcp \. 80/);
  assert.doesNotMatch(scripts[0] ?? '', /10\.96\.0\.4 /);
  assert.ok(results.every((r) => r.coalesced === 5 && !r.error));
  await net.stop();
});

test('a model arriving during a run is programmed by the next run, never concurrently', async () => {
  const { runner, scripts } = recorder({ slowMs: 100 });
  const net = await NodeNetwork.start({ name: 'serial', runner, debounceMs: 5, log: quiet });
  const first = net.sync(model({ services: [service('a', '10.96.0.1')] }));
  await new Promise((r) => setTimeout(r, 30));
  const second = net.sync(model({ services: [service('a', '10.96.0.1'), service('b', '10.96.0.2')] }));
  const [r1, r2] = await Promise.all([first, second]);
  assert.equal(r1.coalesced, 1);
  assert.equal(r2.coalesced, 1);
  assert.equal(r2.proxy?.fullTables.length, 0, 'the second run patches what the first installed');
  assert.match(scripts.join('\n'), /10\.96\.0\.2 \. tcp \. 80/);
  await net.stop();
});

test('a failed sync reports the error and is retried on its own until it succeeds', async () => {
  const { runner, scripts } = recorder({ failFirst: 2 });
  const net = await NodeNetwork.start({ name: 'retry', runner, debounceMs: 1, retryMs: 20, log: quiet });
  const r = await net.sync(model({ services: [service('a', '10.96.0.1')] }));
  assert.match(r.error ?? '', /service proxy: nft -f failed.*simulated.*network policy: nft -f failed/s);
  const deadline = Date.now() + 5000;
  while (scripts.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  assert.equal(scripts.length, 2, 'both tables installed by the retry');
  assert.match(scripts[0] ?? '', /^add table ip flotilla-proxy-retry\ndelete table/, 'a full replacement after a failure');
  await net.stop();
});

test('the DNS answers from the synced model; cleanup stops it and deletes our four tables only', async () => {
  const { runner, scripts } = recorder();
  const net = await NodeNetwork.start({ name: 'dns', runner, log: quiet, dns: { listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [], log: quiet } });
  const port = net.dnsServer?.bound[0]?.port as number;
  await net.sync(model({ services: [service('web', '10.96.0.10')], endpoints: endpoints('web', ['10.244.0.2']) }));
  const r = await dnsQuery({ host: '127.0.0.1', port, name: 'web.default.svc.cluster.local', type: 'A', transport: 'udp' });
  assert.deepEqual(answerLines(r), ['web.default.svc.cluster.local A 10.96.0.10']);
  const before = scripts.length;
  await net.cleanup();
  const deletions = scripts.slice(before).join('').split('\n').filter((l) => l.startsWith('delete table')).sort();
  assert.deepEqual(deletions, ['delete table ip flotilla-policy-dns', 'delete table ip flotilla-proxy-dns', 'delete table ip6 flotilla-policy-dns', 'delete table ip6 flotilla-proxy-dns'].sort());
  await assert.rejects(dnsQuery({ host: '127.0.0.1', port, name: 'web.default.svc.cluster.local', type: 'A', transport: 'udp', timeoutMs: 300 }));
  assert.match((await net.sync(model())).error ?? '', /stopped/);
});

test('cleanupNodeNetwork deletes an instance\'s tables without one running; bad names are refused', async () => {
  const { runner, scripts } = recorder();
  await cleanupNodeNetwork('gone', runner);
  // the proxy's and policy's (both families) and host-gw's masquerade table (IPv4)
  assert.deepEqual(scripts.join('').split('\n').filter((l) => l.startsWith('delete table')).sort(), ['delete table ip flotilla-hostgw-gone',
    'delete table ip flotilla-policy-gone', 'delete table ip flotilla-proxy-gone', 'delete table ip6 flotilla-policy-gone', 'delete table ip6 flotilla-proxy-gone']);
  await assert.rejects(cleanupNodeNetwork('Bad Name!', runner), /invalid node network instance name/);
  await assert.rejects(NodeNetwork.start({ name: 'x'.repeat(41), runner }), /invalid node network instance name/);
});
