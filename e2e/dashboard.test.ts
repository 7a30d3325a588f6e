// Acceptance (web dashboard), in a real browser: Debian's Chromium, headless, driven by playwright-core, against
// the real API server process (which serves the page), a controller-manager, a scheduler and hollow nodes. The
// page is used as a user would (clicks, typing, keyboard shortcuts) while kubectl changes the cluster beside it.
// Screenshots of each view land in .artifacts/dashboard/. Signing in and access: e2e/dashboard-auth.test.ts; logs
// and the terminal need real containers: e2e/dashboard-node.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './harness.js';
import { api, screenshot } from './dashboard-harness.js';
import { hollowDashboard, live } from './dashboard-suite.js';

// The functions given to page.evaluate and waitForFunction run in the browser; these name its globals for the
// compiler (module-scoped: nothing leaks into the rest of the project, which has no DOM types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, getComputedStyle: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const s = hollowDashboard();

test('the overview shows the nodes and the demo pods; kubectl scale shows in the page with no reload', async () => {
  const { page, done } = await s.open('/dashboard/');
  await page.locator('[data-node]').nth(2).waitFor();
  assert.deepEqual(await page.locator('[data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node'))), ['hn-0', 'hn-1', 'hn-2']);
  await page.locator('[data-pod-count="3"]').waitFor();
  assert.match(await page.locator('[data-phase="Running"]').innerText(), /Running\s*3/);
  // the API server serves metrics.k8s.io, so no note says it is missing; hollow nodes have no agent to report usage
  await page.locator('[data-no-metrics]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('[role=meter][aria-label^="CPU used"]').count(), 0, 'no usage reported: no usage bars');
  await screenshot(page, 'overview');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  // keyboard: g then p goes to the pods
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('g');
  await page.keyboard.press('p');
  await page.waitForURL(/\/dashboard\/pods/);
  await page.waitForFunction(() => document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows') === '3');
  s.c.ok(['scale', 'deploy/web', '--replicas=5']);
  await page.waitForFunction(() => document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows') === '5', undefined, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-noun="pods"] tbody tr[data-key] .pill.good').length === 5, undefined, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the same page: no reload');
  assert.equal(await page.evaluate(() => (window.performance).getEntriesByType('navigation').length), 1);
  await screenshot(page, 'pods');
  await done();
});

test('the form deploys an image with 2 replicas on a port and exposes it: Deployment and Service, pods on the nodes', async () => {
  const { page, requests, done } = await s.open('/dashboard/create');
  await page.fill('input[name=name]', 'hello');
  await page.fill('input[name=image]', '127.0.0.1:5000/flotilla/web:v1');
  await page.fill('input[name=replicas]', '2');
  await page.fill('input[name=port]', '8080');
  assert.equal(await page.isChecked('input[name=expose]'), true);
  await screenshot(page, 'create-form');
  await page.click('[data-action=deploy]');
  await page.waitForURL(/\/dashboard\/r\/apps\/v1\/deployments\/default\/hello/);
  await page.waitForFunction(() => document.querySelectorAll('[data-noun="pods"] tbody tr[data-key] .pill.good').length === 2, undefined, { timeout: 30_000 });

  const d = s.kubectlJson(['get', 'deploy', 'hello']);
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.spec.template.spec.containers[0].image, '127.0.0.1:5000/flotilla/web:v1');
  assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080);
  const svc = s.kubectlJson(['get', 'svc', 'hello']);
  assert.deepEqual(svc.spec.selector, { app: 'hello' });
  assert.equal(svc.spec.ports[0].port, 8080);
  assert.equal(svc.spec.ports[0].targetPort, 8080);
  const placed = live(await s.pods('app=hello'));
  assert.equal(placed.length, 2);
  for (const p of placed) assert.match(p.spec.nodeName ?? '', /^hn-\d$/, `${p.metadata.name} is scheduled on a hollow node`);

  // every write went to the server as a dry run first
  const writes = requests.filter((r) => r.method() === 'POST' && /\/(deployments|services)(\?|$)/.test(r.url())).map((r) => `${new URL(r.url()).pathname.split('/').pop()} ${new URL(r.url()).searchParams.get('dryRun') ?? 'real'}`);
  assert.deepEqual(writes, ['deployments All', 'services All', 'deployments real', 'services real']);
  await screenshot(page, 'deployment');

  // the form refuses what can't be created, before sending anything
  await page.goto(`${s.c.url}/dashboard/create`);
  await page.fill('input[name=name]', 'Bad_Name');
  await page.click('[data-action=deploy]');
  await page.locator('[data-error=name]').waitFor();
  await page.locator('[data-error=image]').waitFor();
  await done();
});

test('editing a Deployment in the YAML editor: a typo is marked before submit, the rollout shows, undo goes back', async () => {
  // a rollout slow enough to watch: one new pod at a time, each available 2 s after it is ready
  s.c.ok(['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"minReadySeconds":2,"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}']);
  await waitFor('web rolled out', async () => s.kubectlJson(['get', 'deploy', 'web']).status.updatedReplicas === 5 && s.kubectlJson(['get', 'deploy', 'web']).status.availableReplicas === 5, 60_000);
  const before = s.kubectlJson(['get', 'deploy', 'web']);
  const { page, done } = await s.open('/dashboard/r/apps/v1/deployments/default/web?tab=yaml');
  await page.click('[data-action=edit]');
  await page.locator('.yaml-edit .cm-content').waitFor();
  const replaceAll = async (from: string, to: string) => {
    await page.click('.yaml-edit .cm-content');
    await page.keyboard.press('Control+f');
    await page.fill('.cm-search input[name=search]', from);
    await page.fill('.cm-search input[name=replace]', to);
    await page.click('.cm-search button[name=replaceAll]');
    await page.keyboard.press('Escape');
  };
  await replaceAll('flotilla/web:v1', 'flotilla/web:v2');
  await replaceAll('image: ', 'imagee: ');
  const problem = page.locator('[data-problem=error]');
  await problem.first().waitFor({ timeout: 15_000 });
  assert.match(await problem.first().innerText(), /unknown field "spec\.template\.spec\.containers\[0\]\.imagee" \(did you mean "image"\?\)/);
  await problem.first().locator('button.where').click(); // shows the problem in the editor: underlined
  await page.locator('.yaml-edit .cm-lintRange-error').first().waitFor();
  assert.match(await page.locator('.yaml-edit .cm-lintRange-error').first().innerText(), /^imagee$/);
  assert.equal(await page.isDisabled('[data-action=save]'), true, 'no saving with a problem marked');
  await screenshot(page, 'yaml-editor-typo');
  assert.equal(s.kubectlJson(['get', 'deploy', 'web']).metadata.generation, before.metadata.generation, 'nothing was sent');

  await replaceAll('imagee: ', 'image: ');
  await page.waitForFunction(() => !document.querySelector('[data-problem]') && !document.querySelector('[data-action=save]')?.disabled);
  await page.click('[data-action=save]');
  await waitFor('the new image', async () => s.kubectlJson(['get', 'deploy', 'web']).spec.template.spec.containers[0].image.endsWith(':v2'), 15_000);

  // the rollout, as the page tells it
  await page.click('[data-tab=summary]');
  const seen = new Set<string>();
  await waitFor('the rollout to finish in the page', async () => {
    const m = await page.locator('[data-rollout-message]').innerText();
    seen.add(m);
    return /successfully rolled out/.test(m);
  }, 90_000, 100);
  assert.ok([...seen].some((m) => /^Waiting for deployment "web" rollout to finish: /.test(m)), `progress was shown: ${[...seen].join(' | ')}`);
  await page.locator('[data-revision="2"].current').waitFor();

  // undo: back to revision 1's template, which becomes revision 3
  await page.click('.view-header [data-action=undo]');
  await page.click('[data-confirm=undo]');
  await waitFor('the old image back', async () => s.kubectlJson(['get', 'deploy', 'web']).spec.template.spec.containers[0].image.endsWith(':v1'), 15_000);
  const undone = s.kubectlJson(['get', 'deploy', 'web']);
  assert.deepEqual(undone.spec.template, before.spec.template, 'exactly the previous template');
  await page.locator('[data-revision="3"].current').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-revision="3"]').innerText(), /web:v1/);
  assert.match(s.c.ok(['rollout', 'history', 'deploy/web']), /^2\s.*\n3\s/m);
  await screenshot(page, 'rollout');
  await done();
});

test('delete asks first: cancel keeps the pod, confirming deletes it', async () => {
  const { page, requests, done } = await s.open('/dashboard/pods?ns=default');
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows')) >= 5);
  const victim = (await page.locator('[data-noun="pods"] tbody tr[data-key]').first().getAttribute('data-key'))?.split('/')[1] as string;
  const row = page.locator(`[data-noun="pods"] tr[data-key="default/${victim}"]`);
  await row.locator('[data-action=delete]').click();
  await page.locator('dialog [data-confirm=delete]').waitFor();
  await screenshot(page, 'delete-confirmation');
  await page.click('dialog [data-confirm=cancel]');
  await page.locator('dialog').waitFor({ state: 'detached' });
  assert.deepEqual(requests.filter((r) => r.method() === 'DELETE').map((r) => r.url()), [], 'cancel sent no delete');
  assert.equal(s.c.kubectl(['get', 'pod', victim]).code, 0, 'cancel deleted nothing');
  assert.equal(s.kubectlJson(['get', 'pod', victim]).metadata.deletionTimestamp, undefined);
  await row.locator('[data-action=delete]').click();
  await page.click('dialog [data-confirm=delete]');
  assert.deepEqual(requests.filter((r) => r.method() === 'DELETE').map((r) => new URL(r.url()).pathname), [`/api/v1/namespaces/default/pods/${victim}`]);
  await waitFor('the pod gone', async () => s.c.kubectl(['get', 'pod', victim]).code !== 0 || !!s.kubectlJson(['get', 'pod', victim]).metadata.deletionTimestamp, 15_000);
  await done();
});

test('any kind from discovery, as the server\'s table, live: Leases', async () => {
  const { page, done } = await s.open('/dashboard/resources');
  await page.click('[data-kind=leases]');
  await page.waitForURL(/\/dashboard\/r\/coordination\.k8s\.io\/v1\/leases/);
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="leases"]')?.getAttribute('data-rows')) >= 3);
  const headers = await page.locator('[data-noun="leases"] thead th').allInnerTexts();
  const served = (await api(s.t, 'GET', '/apis/coordination.k8s.io/v1/leases', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body;
  for (const col of served.columnDefinitions.filter((d: { priority: number }) => d.priority === 0)) assert.ok(headers.some((h) => h.startsWith(col.name)), `column ${col.name} of the server's table: ${headers}`);
  assert.ok(await page.locator('[data-noun="leases"] tr[data-key="kube-node-lease/hn-1"]').count());
  s.c.ok(['create', 'configmap', 'just-made', '--from-literal=a=b']);
  await page.goto(`${s.c.url}/dashboard/r/core/v1/configmaps?ns=default`);
  await page.locator('[data-noun="configmaps"] tr[data-key="default/just-made"]').waitFor();
  s.c.ok(['delete', 'configmap', 'just-made']);
  await page.locator('[data-noun="configmaps"] tr[data-key="default/just-made"]').waitFor({ state: 'detached' });
  await screenshot(page, 'generic-table');
  await done();
});

test('nodes: cordon and uncordon, and drain moves the pods elsewhere', async () => {
  const { page, done } = await s.open('/dashboard/nodes');
  const row = (n: string) => page.locator(`[data-noun="nodes"] tr[data-key="${n}"]`);
  await row('hn-2').waitFor();
  await row('hn-2').locator('[data-action=cordon]').click();
  await waitFor('hn-2 cordoned', async () => s.kubectlJson(['get', 'node', 'hn-2']).spec.unschedulable === true, 10_000);
  await row('hn-2').getByText('SchedulingDisabled').waitFor();
  await screenshot(page, 'nodes');
  await row('hn-2').locator('[data-action=uncordon]').click();
  await waitFor('hn-2 uncordoned', async () => !s.kubectlJson(['get', 'node', 'hn-2']).spec.unschedulable, 10_000);

  const onNode = async (n: string) => live(await s.pods('app in (web,hello)')).filter((p) => p.spec.nodeName === n);
  const before = await onNode('hn-1');
  assert.ok(before.length > 0, 'hn-1 runs pods to drain');
  await row('hn-1').locator('[data-action=drain]').click();
  await page.click('dialog [data-confirm=drain]');
  await waitFor('hn-1 drained', async () => (await onNode('hn-1')).length === 0, 30_000);
  assert.equal(s.kubectlJson(['get', 'node', 'hn-1']).spec.unschedulable, true);
  await waitFor('the drained pods replaced on the other nodes', async () => {
    const ps = live(await s.pods('app=web'));
    return ps.length === 5 && ps.every((p) => p.spec.nodeName && p.spec.nodeName !== 'hn-1' && p.status?.phase === 'Running');
  }, 30_000);
  s.c.ok(['uncordon', 'hn-1']);
  await done();
});

test('Secrets are not downloaded until revealed; ConfigMap values show on request', async () => {
  s.c.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2-not-shown']);
  const { page, requests, done } = await s.open('/dashboard/config?ns=default');
  await page.locator('[data-noun="secrets"] tr[data-key="default/db"]').waitFor();
  await page.click('[data-noun="secrets"] tr[data-key="default/db"] a.obj');
  await page.locator('[data-action=reveal]').waitFor();
  const secretReads = () => requests.filter((r) => /\/secrets(\/|\?|$)/.test(new URL(r.url()).pathname + '?') && !/as=Table/.test(r.headers().accept ?? ''));
  assert.deepEqual(secretReads().map((r) => r.url()), [], 'Secrets were read only in the Table form (no values)');
  assert.doesNotMatch(await page.content(), /hunter2/);
  await screenshot(page, 'secret-hidden');
  await page.click('[data-action=reveal]');
  await page.locator('[data-value=password]').waitFor();
  assert.equal(await page.locator('[data-value=password]').innerText(), 'hunter2-not-shown');
  assert.equal(secretReads().length, 1, 'one read, on reveal');

  await page.goto(`${s.c.url}/dashboard/r/core/v1/configmaps/default/web-page`);
  await page.locator('[data-masked=greeting]').waitFor();
  assert.doesNotMatch(await page.locator('.data-values').innerText(), /Hello from Flotilla/);
  await page.click('[data-action=reveal]');
  assert.equal(await page.locator('[data-value=greeting]').innerText(), 'Hello from Flotilla');
  await done();
});

test('node usage bars appear when the metrics API reports usage, and a note says why they are missing where it is not served', async () => {
  const { page, done } = await s.open('/dashboard/');
  await page.locator('[data-node="hn-0"]').waitFor();
  // a cluster without metrics.k8s.io (Kubernetes without metrics-server): 404, and the page says so
  await page.route('**/apis/metrics.k8s.io/v1beta1/nodes', (route) => route.fulfill({
    status: 404, contentType: 'application/json',
    body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }),
  }));
  await page.reload();
  await page.locator('[data-no-metrics]').waitFor();
  assert.equal(await page.locator('[role=meter][aria-label^="CPU used"]').count(), 0);
  await page.unroute('**/apis/metrics.k8s.io/v1beta1/nodes');
  await page.route('**/apis/metrics.k8s.io/v1beta1/nodes', (route) => route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items: ['hn-0', 'hn-1', 'hn-2'].map((n, i) => ({ metadata: { name: n }, usage: { cpu: `${(i + 1) * 4}`, memory: `${(i + 1) * 32}Gi` } })) }),
  }));
  await page.reload();
  await page.locator('[data-node="hn-2"] [role=meter][aria-label="CPU used 12 / 32"]').waitFor();
  assert.equal(await page.locator('[data-no-metrics]').count(), 0);
  await screenshot(page, 'overview-metrics');
  await done();
});

test('keyboard shortcuts, dark mode following the system, and a narrow window', async () => {
  const { page, done } = await s.open('/dashboard/');
  await page.locator('[data-node="hn-0"]').waitFor();
  await page.keyboard.press('?');
  await page.locator('dialog:has-text("Keyboard shortcuts")').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog').waitFor({ state: 'detached' });
  await page.keyboard.press('g');
  await page.keyboard.press('w');
  await page.waitForURL(/\/dashboard\/workloads/);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-filter')), true, '/ focuses the filter');
  await page.keyboard.type('hello');
  await page.waitForFunction(() => document.querySelector('[data-noun="deployments"]')?.getAttribute('data-rows') === '1');
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 5, y: 500 } });
  await page.keyboard.press('c');
  await page.waitForURL(/\/dashboard\/create/);

  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${s.c.url}/dashboard/`);
  await page.locator('[data-node="hn-0"]').waitFor();
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(light, 'rgb(255, 255, 255)');
  assert.equal(dark, 'rgb(15, 20, 26)');
  await screenshot(page, 'overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`${s.c.url}/dashboard/pods?ns=default`);
  await page.waitForFunction(() => Number(document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows')) > 0);
  assert.equal(await page.locator('nav.side').isVisible(), false, 'the navigation folds away');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling');
  await screenshot(page, 'pods-narrow');
  await page.click('header .menu');
  await page.locator('nav.side').waitFor({ state: 'visible' });
  await page.click('nav.side [data-nav=nodes]');
  await page.waitForURL(/\/dashboard\/nodes/);
  assert.equal(await page.locator('nav.side').isVisible(), false, 'the menu closes on navigation');
  await done();
});
