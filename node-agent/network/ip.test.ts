import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFromReverseName, canonicalIP, cidrContains, dashedIP, ipFromDashed, parseCidr, reverseName } from './ip.js';

test('canonical IPv6 text as Go prints it; IPv4 untouched', () => {
  assert.equal(canonicalIP('FD00:0:0:0::1'), 'fd00::1');
  assert.equal(canonicalIP('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIP('::ffff:10.0.0.1'), '::ffff:a00:1');
  assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
});

test('reverse names both ways', () => {
  assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
  assert.equal(addressFromReverseName('10.0.96.10.in-addr.arpa.'), '10.96.0.10');
  const v6 = reverseName('fd00::1');
  assert.equal(v6, '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa');
  assert.equal(addressFromReverseName(v6), 'fd00::1');
  assert.equal(addressFromReverseName('0.96.10.in-addr.arpa'), undefined, 'a partial name is not an address');
  assert.equal(addressFromReverseName('300.0.96.10.in-addr.arpa'), undefined);
});

test('CIDRs: host bits cleared, containment per family', () => {
  const c = parseCidr('10.244.1.7/16');
  assert.equal(c?.text, '10.244.0.0/16');
  assert.ok(c && cidrContains(c, '10.244.255.1'));
  assert.ok(c && !cidrContains(c, '10.245.0.1'));
  assert.ok(c && !cidrContains(c, 'fd00::1'));
  assert.equal(parseCidr('fd00:1::5/64')?.text, 'fd00:1::/64');
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('nonsense'), undefined);
});

test('dashed labels for pod and endpoint names', () => {
  assert.equal(dashedIP('10.244.0.5'), '10-244-0-5');
  assert.equal(dashedIP('fd00::5'), 'fd00--5');
  assert.equal(ipFromDashed('10-244-0-5'), '10.244.0.5');
  assert.equal(ipFromDashed('fd00--5'), 'fd00::5');
  assert.equal(ipFromDashed('web'), undefined);
});
