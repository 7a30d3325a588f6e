import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, model, service } from '../testing/fixtures.js';
import { planServicePorts } from './endpoints.js';
import { conntrackArgs, staleUdpFlows } from './conntrack.js';

const udp = service('dns', '10.96.0.10', { type: 'NodePort', ports: [{ name: 'dns', protocol: 'UDP', port: 53, nodePort: 30053 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }] });
const eps = (ips: string[]) => endpoints('dns', ips, { ports: [{ name: 'dns', protocol: 'UDP', port: 5353 }, { name: 'dns-tcp', protocol: 'TCP', port: 5353 }] });
const plans = (ips: string[]) => planServicePorts(model({ services: [udp], endpoints: eps(ips) }), 4);

test('a removed UDP endpoint: its flows to the ClusterIP and the node port are deleted; TCP is left alone', () => {
  const d = staleUdpFlows(plans(['10.0.0.1', '10.0.0.2']), plans(['10.0.0.2']));
  assert.deepEqual(d.map(conntrackArgs), [
    ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--reply-src', '10.0.0.1'],
    ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '30053', '--reply-src', '10.0.0.1'],
  ]);
});

test('a UDP Service that gets its first endpoint: the flows to it are deleted (they were not DNATed)', () => {
  const d = staleUdpFlows(plans([]), plans(['10.0.0.1']));
  assert.deepEqual(d.map(conntrackArgs), [
    ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53'],
    ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '30053'],
  ]);
});

test('a deleted Service takes its endpoints\' flows; nothing changed means nothing to delete', () => {
  assert.equal(staleUdpFlows(plans(['10.0.0.1']), []).length, 2);
  assert.deepEqual(staleUdpFlows(plans(['10.0.0.1']), plans(['10.0.0.1'])), []);
});
