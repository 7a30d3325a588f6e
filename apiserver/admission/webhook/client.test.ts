import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../lib/api/types.js';
import { WebhookClient } from './client.js';
import { WebhookCallError } from './review.js';
import { startWebhookServer, type TestWebhookServer } from './test-server.js';
import { hook } from './testing.js';

let srv: TestWebhookServer;
before(async () => {
  // its certificate names the Service's DNS name only: calling the endpoint's IP works only with the right server name
  srv = await startWebhookServer({ '/ok': () => ({ allowed: true }), '/hang': () => 'hang' }, { dnsNames: ['hook.webhooks.svc', 'localhost'], ipAddresses: [] });
});
after(async () => srv?.stop());

const none = { listCached: () => [] };
const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1' } };
const callError = (pattern: RegExp) => (e: unknown) => e instanceof WebhookCallError && pattern.test(e.message);

test('a URL webhook is called over HTTPS, trusting its caBundle; the timeout rides along in the query', async () => {
  const client = new WebhookClient(none);
  try {
    const answer = await client.post(hook({ name: 'ok.example.com', clientConfig: { url: `https://localhost:${srv.port}/ok`, caBundle: srv.caBundle } }), review);
    assert.deepEqual((answer as { response: unknown }).response, { uid: 'u1', allowed: true });
    // a CA that did not sign the webhook's certificate (the system roots, with no caBundle)
    await assert.rejects(client.post(hook({ name: 'ok.example.com', clientConfig: { url: `https://localhost:${srv.port}/ok` } }), review),
      callError(new RegExp(`^failed calling webhook "ok.example.com": failed to call webhook: Post "https://localhost:${srv.port}/ok\\?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority$`)));
  } finally {
    client.close();
  }
});

test('a webhook that is down or does not answer fails as Go words it, never past its timeout', async () => {
  const client = new WebhookClient(none);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  try {
    await assert.rejects(client.post(hook({ name: 'down.example.com', clientConfig: { url: `https://127.0.0.1:${port}/x` }, timeoutSeconds: 5 }), review),
      callError(new RegExp(`failed to call webhook: Post "https://127.0.0.1:${port}/x\\?timeout=5s": dial tcp 127.0.0.1:${port}: connect: connection refused$`)));
    await assert.rejects(client.post(hook({ name: 'slow.example.com', clientConfig: { url: `https://localhost:${srv.port}/hang`, caBundle: srv.caBundle }, timeoutSeconds: 1 }), review),
      callError(/failed to call webhook: Post "https:\/\/localhost:\d+\/hang\?timeout=1s": context deadline exceeded$/));
  } finally {
    client.close();
  }
});

test('a Service webhook goes to a ready endpoint from its EndpointSlices, verified as <name>.<namespace>.svc', async () => {
  const objects: Record<string, KubeObject[]> = {
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hook', namespace: 'webhooks' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 8443 }] } } as KubeObject],
    'endpointslices.discovery.k8s.io': [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'hook-1', namespace: 'webhooks', labels: { 'kubernetes.io/service-name': 'hook' } },
      ports: [{ name: 'https', port: srv.port }],
      endpoints: [{ addresses: ['10.255.255.1'], conditions: { ready: false } }, { addresses: ['127.0.0.1'], conditions: { ready: true } }] } as unknown as KubeObject],
  };
  const client = new WebhookClient({ listCached: (r) => objects[r] ?? [] });
  const svcHook = (name: string, path = '/ok') => hook({ name: 'svc.example.com', clientConfig: { service: { namespace: 'webhooks', name, path, port: 443 }, caBundle: srv.caBundle } });
  try {
    await client.post(svcHook('hook'), review);
    assert.equal(srv.received.at(-1)?.path, '/ok');
    // the same endpoint by URL: its IP is not in the certificate
    await assert.rejects(client.post(hook({ name: 'ip.example.com', clientConfig: { url: `https://127.0.0.1:${srv.port}/ok`, caBundle: srv.caBundle } }), review),
      callError(/tls: failed to verify certificate: x509: certificate is not valid for 127.0.0.1$/));
    await assert.rejects(client.post(svcHook('missing'), review), callError(/Post "https:\/\/missing.webhooks.svc:443\/ok\?timeout=10s": service "missing" not found$/));
    objects['endpointslices.discovery.k8s.io'] = [];
    await assert.rejects(client.post(svcHook('hook'), review), callError(/Post "https:\/\/hook.webhooks.svc:443\/ok\?timeout=10s": no endpoints available for service "hook"$/));
  } finally {
    client.close();
  }
});
