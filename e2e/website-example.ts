// The README's example controller (examples/website/) on a whole local cluster (issue 14's acceptance): a Website
// gets a Deployment whose pods answer over HTTP with its page, a Service in front of them and a status; a changed
// page rolls out; a controller SIGKILLed halfway through its first reconcile and started again converges without a
// second copy of anything; deleting the Website deletes everything it owned. Called by a whole-cluster e2e file.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { CONFIGMAPS, Client, loadKubeConfig } from '../lib/client/index.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { ROOT, waitFor } from './harness.js';
import { serviceTraffic } from './service-traffic.js';
import { condition, type Json, type UpCluster } from './up-cluster.js';

const LABEL = 'sites.example.com/name=blog';

function get(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${ip}:${port}`)));
    req.on('error', reject);
    req.end();
  });
}

export async function websiteExample(c: UpCluster, after: (fn: () => void | Promise<void>) => void): Promise<void> {
  const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 90_000) => c.until(what, fn, ms).catch((e: Error) => {
    throw new Error(`${e.message}\n--- website controller output\n${output.slice(-3000)}`);
  });
  const client = new Client(loadKubeConfig({ kubeconfig: c.kubeconfig }));
  // read through the API (kubectl's discovery of a new kind costs seconds a call on a loaded machine)
  const live = async (kind: string): Promise<Json[]> => {
    const group = kind === 'deployments' || kind === 'replicasets' ? 'apps' : '';
    return ((await client.for(group, 'v1', kind).list({ namespace: 'default', labelSelector: LABEL })).items as Json[]).filter((o) => !o.metadata.deletionTimestamp);
  };
  const names = async (kind: string): Promise<string[]> => (await live(kind)).map((o) => o.metadata.name as string);
  // a custom kind by group, version and plural: its Kind and scope come from discovery
  const websites = client.for('sites.example.com', 'v1', 'websites');
  const site = async (): Promise<Json> => (await websites.get('blog', 'default')) as Json;
  const page = (v: string) => `<h1>blog ${v}</h1>\n`;
  const proxyTable = `flotilla-proxy-${nodeNetworkName(podNetworkFor(c.dir).bridge)}`;
  const { ruleInstalled, askFromHost } = serviceTraffic(c, proxyTable);

  let output = '';
  let proc: ChildProcess | undefined;
  const start = (): ChildProcess => {
    const p = spawn(process.execPath, [join(ROOT, 'dist/examples/website/main.js'), '--kubeconfig', c.kubeconfig],
      { env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.on('data', (d) => (output += String(d)));
    p.stderr?.on('data', (d) => (output += String(d)));
    return (proc = p);
  };
  after(async () => {
    proc?.kill('SIGKILL');
    client.close();
    c.kubectl(['delete', 'website', 'blog', '--ignore-not-found', '--wait=false']);
    c.kubectl(['delete', '-f', join(ROOT, 'examples/website/crd.yaml'), '--ignore-not-found', '--wait=false']);
  });

  c.ok(['apply', '-f', join(ROOT, 'examples/website/crd.yaml')]);
  const crds = client.for('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  await until('the Website CRD established', async () => condition(await crds.get('websites.sites.example.com') as Json, 'Established')?.status === 'True');
  const first = start();
  await websites.create({ metadata: { name: 'blog', namespace: 'default' }, spec: { image: `${c.registry}/flotilla/web:v1`, replicas: 2, html: page('v1') } });
  // SIGKILL in the middle of the first reconcile: as soon as its first child (the page's ConfigMap) exists
  await waitFor('the first child of the Website', async () => client.get(CONFIGMAPS, 'blog-content', { namespace: 'default' }).then(() => true, () => false), 30_000, 5);
  first.kill('SIGKILL');
  await new Promise((r) => (first.exitCode !== null || first.signalCode !== null ? r(null) : first.once('exit', r)));
  start();

  const ready = (generation: number) => until(`the Website Ready at generation ${generation}`, async () => {
    const s = await site();
    const cond = condition(s, 'Ready');
    return cond?.status === 'True' && s.status?.observedGeneration === generation && cond.observedGeneration === generation && s;
  });
  const s1 = await ready(1);
  assert.equal(s1.status.readyReplicas, 2);
  assert.equal(s1.spec.port, 8080, 'defaulted from the CRD\'s schema');
  assert.equal(s1.status.url, 'http://blog.default.svc.cluster.local:8080');
  // converged with exactly one of each: the restarted controller found what the killed one had made
  assert.deepEqual(await names('deployments'), ['blog']);
  assert.deepEqual(await names('services'), ['blog']);
  assert.deepEqual(await names('configmaps'), ['blog-content']);
  assert.equal((await names('replicasets')).length, 1);
  for (const kind of ['deployments', 'services', 'configmaps']) {
    const ref = (await live(kind))[0]?.metadata.ownerReferences?.[0];
    assert.equal(ref?.uid, s1.metadata.uid, `the ${kind} are controlled by the Website`);
    assert.equal(ref?.controller, true);
  }
  const answers = async (v: string) => {
    const pods = await live('pods');
    if (pods.length !== 2 || pods.some((p) => !p.status.podIP)) return false;
    const bodies = await Promise.all(pods.map((p) => get(p.status.podIP, 8080).catch(() => '')));
    return bodies.every((b) => b === page(v));
  };
  await until('both pods answering with page v1', () => answers('v1'), 30_000);
  const svc = c.json(['get', 'service', 'blog']);
  await ruleInstalled(svc.spec.clusterIP, 8080);
  assert.equal(await askFromHost(svc.spec.clusterIP, 8080), page('v1'), 'the Service answers with the page');

  // a new page: a new ReplicaSet rolls out and the status follows it
  c.ok(['patch', 'website', 'blog', '--type=merge', '-p', JSON.stringify({ spec: { html: page('v2') } })]);
  await ready(2);
  await until('both pods answering with page v2', () => answers('v2'), 60_000);
  assert.equal((await live('deployments'))[0]?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal((await names('replicasets')).length, 2, 'the old ReplicaSet stays, scaled to 0, for rollbacks');
  await until('the controller\'s events about its update', () => c.events('blog').some((e) => e.reason === 'Updated' && e.message === 'Updated Deployment blog'
    && e.involvedObject.kind === 'Website' && e.source?.component === 'website-controller'), 30_000);

  // deleted: the garbage collector removes every object the Website controlled, and their pods
  c.ok(['delete', 'website', 'blog', '--wait=false']);
  await until('everything the Website owned gone', async () => {
    for (const k of ['deployments', 'replicasets', 'services', 'configmaps', 'pods']) {
      if ((await client.for(k === 'deployments' || k === 'replicasets' ? 'apps' : '', 'v1', k).list({ namespace: 'default', labelSelector: LABEL })).items.length) return false;
    }
    return true;
  }, 90_000);
}
