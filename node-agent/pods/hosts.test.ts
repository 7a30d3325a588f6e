// The pod's /etc/hosts as the kubelet writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { hostNetworkHostsContent, podHostname, podHostsContent } from './hosts.js';

test('pod IP with the hostname, FQDN with a subdomain, then the hostAliases', () => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop' }, spec: { hostname: 'db', subdomain: 'backend' } };
  const { hostname, domain } = podHostname(pod, 'cluster.local');
  assert.deepEqual({ hostname, domain }, { hostname: 'db', domain: 'backend.shop.svc.cluster.local' });
  assert.equal(podHostsContent({ podIPs: ['10.88.0.7'], hostname, domain, aliases: [{ ip: '192.0.2.5', hostnames: ['foo.local', 'bar.local'] }] }), [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    '10.88.0.7\tdb.backend.shop.svc.cluster.local\tdb',
    '',
    '# Entries added by HostAliases.',
    '192.0.2.5\tfoo.local\tbar.local',
    '',
  ].join('\n'));
});

test('the hostname is the pod name cut to 63 characters without a trailing dash; hostNetwork pods keep the node file', () => {
  const long = `${'a'.repeat(62)}-xyz`;
  assert.equal(podHostname({ apiVersion: 'v1', kind: 'Pod', metadata: { name: long, namespace: 'd' }, spec: {} }, 'cluster.local').hostname, 'a'.repeat(62));
  assert.equal(hostNetworkHostsContent('127.0.0.1 localhost\n', [{ ip: '1.2.3.4', hostnames: ['x'] }]), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n');
});
