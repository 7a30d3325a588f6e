// Acceptance (web dashboard): how the page is served and whom it acts as. Strict CSP and caching, the token kept
// out of URLs and cookies and sent on every call, sign-in on a 401, actions following the API's access review
// answers (a real ServiceAccount token bound to `view`), `flotilla dashboard`. In headless Chromium against the real
// API server with hollow nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type FetchInit, ROOT, apiFetch, waitFor } from './harness.js';
import { request as httpRequest } from 'node:http';
import type { Request } from 'playwright-core';
import WebSocket from 'ws';
import { startDashboardProxy } from '../cli/dashboard-proxy.js';
import { loadKubeConfig } from '../lib/client/kubeconfig.js';
import { api, screenshot } from './dashboard-harness.js';
import { frames, hollowDashboard } from './dashboard-suite.js';

// The functions given to page.evaluate and waitForFunction run in the browser; these name its globals for the
// compiler (module-scoped: nothing leaks into the rest of the project, which has no DOM types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, location: any, sessionStorage: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const s = hollowDashboard();

/** An anonymous request (no certificate, no token) trusting the cluster's CA: the page loads before sign-in. */
const anon = (path: string, init: FetchInit = {}) => apiFetch(s.c.url + path, init, { ca: s.t.ca });

test('the API server serves the page: strict CSP, no framing, hashed assets cached forever, index.html for every path', async () => {
  const redirect = await anon('/dashboard');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/dashboard/');
  const r = await anon('/dashboard/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
  const csp = r.headers.get('content-security-policy') ?? '';
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|nonce-|\*/, 'no inline script or style allowed, no wildcard');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i, 'index.html has no inline script, style or handler');
  const assets = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  assert.ok(assets.some((a) => /\/main-[A-Z0-9]{8}\.js$/.test(a)) && assets.some((a) => /\/main-[A-Z0-9]{8}\.css$/.test(a)), `hashed script and stylesheet: ${assets}`);
  for (const a of assets) {
    const ar = await anon(a, { headers: { 'Accept-Encoding': 'gzip' } });
    await ar.body?.cancel();
    assert.equal(ar.status, 200, a);
    assert.equal(ar.headers.get('cache-control'), 'public, max-age=31536000, immutable', a);
    assert.ok(ar.headers.get('content-security-policy'), a);
  }
  for (const path of ['/dashboard/pods', '/dashboard/r/apps/v1/deployments/default/web?tab=yaml']) assert.equal(await (await anon(path)).text(), html, path);
  const missing = await anon('/dashboard/assets/main-00000000.js');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { kind: string }).kind, 'Status');
  // nothing outside the assets can be reached through them
  // (the last one resolves to /package.json, outside the files everyone may read: 401 anonymously, 404 for an admin)
  for (const path of ['/dashboard/assets/%2e%2e%2fbuild.json', '/dashboard/assets/..%2findex.html', '/dashboard/assets/%2e%2e/%2e%2e/%2e%2e/package.json']) {
    const x = await anon(path);
    await x.body?.cancel();
    assert.equal(x.status, path.endsWith('package.json') ? 401 : 404, path);
    const admin = await apiFetch(s.c.url + path, {}, { ca: s.t.ca, token: s.t.token });
    await admin.body?.cancel();
    assert.equal(admin.status, 404, path);
  }
  // only reading the files is open to everyone: anything else is the API's to authorize (403 anonymously), and
  // not served to anyone (404 for a user who may do anything)
  const anonPost = await anon('/dashboard/', { method: 'POST', body: '{}' });
  assert.equal(anonPost.status, 403);
  await anonPost.body?.cancel();
  const post = await apiFetch(`${s.c.url}/dashboard/`, { method: 'POST', body: '{}' }, { ca: s.t.ca, token: s.t.token });
  assert.equal(post.status, 404);
  await post.body?.cancel();
  const head = await anon('/dashboard/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('the token: taken from the fragment and out of the address bar, sent as a header on every call, never a cookie', async () => {
  const token = 'dashboard-test-token.not-a-real-one';
  const { page, requests, done } = await s.open('/dashboard/pods', { token });
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows')) > 0);
  assert.equal(new URL(page.url()).hash, '', 'the fragment is gone from the address bar');
  assert.equal(await page.evaluate(() => location.hash), '');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('flotilla.dashboard.token')), token);
  assert.deepEqual(await s.browser.context.cookies(), [], 'no cookie');
  const calls = requests.filter((r) => /^\/(api|apis|openapi)\//.test(new URL(r.url()).pathname));
  assert.ok(calls.length >= 2);
  for (const r of calls) {
    assert.equal(r.headers().authorization, `Bearer ${token}`, r.url());
    assert.ok(!r.url().includes('not-a-real-one'), `no token in ${r.url()}`);
  }
  for (const r of requests) assert.ok(!r.url().includes('not-a-real-one'), `no token in any URL: ${r.url()}`);
  assert.match(await page.locator('header .who').innerText(), /token/);
  // sign out: the token is gone from the tab, and calls go out without it
  await page.click('header .who');
  await page.click('dialog button:has-text("Sign out")');
  await page.locator('header .who:has-text("anonymous")').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('flotilla.dashboard.token')), null);
  const after = requests.length;
  await page.goto(`${s.c.url}/dashboard/nodes`);
  // without a token the calls go out anonymously, which the API answers 401: the page asks for a token
  await page.locator('dialog form.login').waitFor();
  const anonymous = requests.slice(after).filter((r) => /^\/(api|apis)\//.test(new URL(r.url()).pathname));
  assert.ok(anonymous.length > 0);
  for (const r of requests.slice(after)) assert.equal(r.headers().authorization, undefined, r.url());
  assert.ok((await Promise.all(anonymous.map(async (r) => (await r.response())?.status()))).includes(401), 'the API refused the anonymous calls');
  await done();
});

test('a 401 from the API asks for a token; once signed in, every call carries it', async () => {
  const { page, requests, done } = await s.open('/dashboard/nodes');
  // the API as it will answer once authentication lands: no token, no access
  await page.route(/\/(api|apis)\//, (route) => (route.request().headers().authorization === 'Bearer good-token'
    ? route.continue()
    : route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }) })));
  await page.reload();
  await page.locator('dialog form.login').waitFor();
  assert.match(await page.locator('dialog form.login').innerText(), /refused the request: sign in/);
  await screenshot(page, 'sign-in');
  await page.fill('dialog input[name=token]', 'good-token');
  await page.click('dialog button[type=submit]');
  await page.waitForFunction(() => document.querySelector('[data-noun="nodes"]')?.getAttribute('data-rows') === '3');
  assert.equal(await page.locator('dialog').count(), 0);
  // from here on (requests made before signing in may still be reported late), every call has the token
  const before = requests.length;
  await page.click('nav.side [data-nav=workloads]');
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="deployments"]')?.getAttribute('data-rows')) > 0);
  const calls = requests.slice(before).filter((r) => /^\/(api|apis)\//.test(new URL(r.url()).pathname));
  assert.ok(calls.length > 0);
  for (const r of calls) assert.equal(r.headers().authorization, 'Bearer good-token', r.url());
  assert.equal(await page.evaluate(() => sessionStorage.getItem('flotilla.dashboard.token')), 'good-token');
  await done();
});

/** Waits until the page has had RBAC's answer to each access review named ("verb resource[/subresource]"). */
async function answered(requests: Request[], reviews: string[], from = 0): Promise<void> {
  const done = new Set<string>();
  await waitFor(`the answers to ${reviews.join(', ')}`, async () => {
    for (const r of requests.slice(from)) {
      if (!r.url().endsWith('/selfsubjectaccessreviews') || !(await r.response())) continue;
      const a = r.postDataJSON()?.spec?.resourceAttributes ?? {};
      done.add(`${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`);
    }
    return reviews.every((x) => done.has(x));
  });
}

test('a ServiceAccount token bound to `view` in one namespace: that namespace only, no write controls, forged writes refused with 403', async () => {
  // real RBAC: a RoleBinding of the built-in `view` ClusterRole in `team`, a token from the TokenRequest API
  s.c.ok(['create', 'namespace', 'team']);
  s.c.ok(['create', 'serviceaccount', 'viewer', '-n', 'team']);
  s.c.ok(['create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=team:viewer', '-n', 'team']);
  s.c.ok(['create', 'deployment', 'shop', '--image=nginx:1', '--replicas=2', '-n', 'team']);
  const token = s.c.ok(['create', 'token', 'viewer', '-n', 'team', '--duration=1h']).trim();
  const viewer = { ...s.t, token };
  await waitFor('the shop pods', async () => (await api(viewer, 'GET', '/api/v1/namespaces/team/pods?labelSelector=app%3Dshop')).body.items?.length === 2, 60_000);

  const { page, requests, done } = await s.open('/dashboard/pods?ns=team', { token });
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows')) === 2);
  const names = await page.locator('[data-noun="pods"] tbody tr[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
  assert.ok(names.every((k) => k?.startsWith('team/shop-')), names.join(', '));
  await page.locator('[data-noun="pods"] a:has-text("Logs")').first().waitFor();
  // the page asks the API (SelfSubjectAccessReview) before it shows an action, and RBAC said no
  await answered(requests, ['delete pods', 'create pods/exec']);
  await frames(page);
  assert.equal(await page.locator('[data-action=delete]').count(), 0, 'no delete');
  assert.equal(await page.locator('[data-noun="pods"] a:has-text("Shell")').count(), 0, 'no shell');
  let from = requests.length;
  await page.goto(`${s.c.url}/dashboard/workloads?ns=team`);
  await page.locator('[data-noun="deployments"] tr[data-key="team/shop"]').waitFor();
  await answered(requests, ['patch deployments/scale', 'patch deployments', 'delete deployments'], from);
  await frames(page);
  for (const a of ['scale', 'restart', 'undo', 'delete']) assert.equal(await page.locator(`[data-action=${a}]`).count(), 0, `no ${a}`);
  from = requests.length;
  await page.goto(`${s.c.url}/dashboard/r/apps/v1/deployments/team/shop?tab=yaml`);
  await page.locator('.yaml-view .cm-content').waitFor();
  await answered(requests, ['update deployments'], from);
  await frames(page);
  assert.equal(await page.locator('[data-action=edit]').count(), 0, 'no edit');
  const pod = names[0]?.split('/')[1] as string;
  from = requests.length;
  await page.goto(`${s.c.url}/dashboard/r/core/v1/pods/team/${pod}`);
  await page.locator('[data-tab=logs]').waitFor();
  await answered(requests, ['create pods/exec'], from);
  await frames(page);
  assert.equal(await page.locator('[data-tab=terminal]').count(), 0, 'no terminal');

  // another namespace: the page says it is not allowed, and shows none of its pods
  await page.goto(`${s.c.url}/dashboard/pods?ns=default`);
  const note = page.locator('.error-note[role=alert]').first();
  await note.waitFor();
  assert.match(await note.innerText(), /^Not allowed: pods is forbidden: User "system:serviceaccount:team:viewer" cannot (list|watch) resource "pods" in API group "" in the namespace "default"/);
  assert.equal(await page.locator('[data-noun="pods"] tbody tr[data-key^="default/"]').count(), 0);
  await done();

  // what the page hides, the API refuses: a write forged with the page's token is 403 and changes nothing
  const before = s.kubectlJson(['get', 'deployment', 'shop', '-n', 'team']);
  const scale = await api(viewer, 'PATCH', '/apis/apps/v1/namespaces/team/deployments/shop/scale', { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(scale.status, 403);
  assert.equal(scale.body.message, 'deployments.apps "shop" is forbidden: User "system:serviceaccount:team:viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "team"');
  const del = await api(viewer, 'DELETE', `/api/v1/namespaces/team/pods/${pod}`);
  assert.equal(del.status, 403);
  const exec = await api(viewer, 'POST', `/api/v1/namespaces/team/pods/${pod}/exec?command=true&stdout=true`);
  assert.equal(exec.status, 403);
  const after = s.kubectlJson(['get', 'deployment', 'shop', '-n', 'team']);
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.equal(s.kubectlJson(['get', 'pod', pod, '-n', 'team']).metadata.deletionTimestamp, undefined);
});

test('flotilla dashboard prints the address, and a sign-in link with the token in the fragment only', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), 'dashboard', '--kubeconfig', s.c.apiserver.kubeconfig, ...args], { encoding: 'utf8', timeout: 30_000 });
  const plain = run([]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout.split('\n')[0], `Dashboard: ${s.c.url}/dashboard/`);
  assert.match(plain.stdout, /kubectl create token/);
  assert.doesNotMatch(plain.stdout, /warning/);
  const withToken = run(['--token', 'abc.def/ghi', '--namespace', 'default']);
  assert.equal(withToken.status, 0, withToken.stderr);
  assert.ok(withToken.stdout.includes(`  ${s.c.url}/dashboard/?ns=default#token=abc.def%2Fghi\n`), withToken.stdout);
  const bad = run(['--bogus']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown flag: --bogus/);
});


/** A GET through the proxy with the Host and Origin headers given: the status code. */
const rawGet = (url: string, headers: Record<string, string>): Promise<number> => new Promise((resolve, reject) => {
  const req = httpRequest(url, { headers }, (res) => {
    res.resume();
    resolve(res.statusCode ?? 0);
  });
  req.on('error', reject);
  req.end();
});

/** Opens a WebSocket watch through the proxy; the first event's type and name, or the refusal's status code. */
const wsWatch = (url: string, origin?: string): Promise<string> => new Promise((resolve) => {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), { origin });
  const t = setTimeout(() => { ws.terminate(); resolve('no answer'); }, 20_000);
  ws.on('message', (data) => {
    const ev = JSON.parse(String(data));
    clearTimeout(t);
    ws.close();
    resolve(`${ev.type} ${ev.object?.metadata?.name}`);
  });
  ws.on('unexpected-response', (_req, res) => { clearTimeout(t); resolve(String(res.statusCode)); });
  ws.on('error', () => undefined);
});

test('flotilla dashboard --proxy: the page signed in with the kubeconfig\'s client certificate on loopback; other sites\' origins and other hosts refused', async () => {
  const proxy = await startDashboardProxy(loadKubeConfig({ kubeconfig: s.c.apiserver.kubeconfig }), 0);
  try {
    const { page, requests, errors } = await s.browser.open({ url: proxy.url }, '/dashboard/pods?ns=default');
    try {
      await page.waitForFunction(() => Number(document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows')) > 0);
      // the admin's rights, with no token in the page: its actions are offered once RBAC has answered
      await page.locator('[data-action=delete]').first().waitFor();
      assert.ok(requests.every((r) => r.headers().authorization === undefined), 'the page holds no credentials');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
    const port = new URL(proxy.url).port;
    const pods = `${proxy.url}/api/v1/namespaces/default/pods`;
    assert.equal(await rawGet(pods, { host: `127.0.0.1:${port}` }), 200);
    assert.equal(await rawGet(pods, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }), 200);
    assert.equal(await rawGet(pods, { host: `127.0.0.1:${port}`, origin: 'https://evil.example' }), 403, 'another site\'s page');
    assert.equal(await rawGet(pods, { host: `evil.example:${port}` }), 403, 'a DNS-rebinding page');
    assert.equal(await rawGet(`${proxy.url}/metrics`, { host: `127.0.0.1:${port}` }), 403, 'only the page\'s paths');
    // WebSocket upgrades go through (the terminal's exec, watches), but not from another origin
    s.c.ok(['create', 'configmap', 'via-proxy', '--from-literal=a=b']);
    const watch = `${proxy.url}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dvia-proxy`;
    assert.equal(await wsWatch(watch), 'ADDED via-proxy');
    assert.equal(await wsWatch(watch, 'https://evil.example'), '403');
  } finally {
    await proxy.close();
  }
});
