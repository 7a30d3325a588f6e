// Acceptance (web dashboard, real containers): a `flotilla up` cluster on this machine (our containerd, CNI, the
// local registry's busybox images, a real node agent), the dashboard in headless Chromium. A pod's log is followed
// as it grows, by container and with search; the terminal runs a shell in the container over the exec WebSocket,
// and resizing the window resizes the TTY. An image deployed and exposed from the form runs, and its Service answers
// from the host. Needs root, like e2e/node.test.ts.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { waitFor, writeTokenFile } from './harness.js';
import { serviceTraffic } from './service-traffic.js';
import { upCluster } from './up-cluster.js';
import { Browser, type Target, cspViolations, screenshot, target } from './dashboard-harness.js';

// the page's globals, in functions run there
declare const document: { querySelectorAll(s: string): { length: number } };

const c = upCluster({
  name: 'dash-node', nodeName: 'dash-node',
  beforeUp: (x) => void writeTokenFile(join(x.dir, 'token-auth.csv'), [
    { token, user: 'dashboard-admin', groups: ['system:masters'] },
    // the terminal test signs in with this one (it checks the token rides as the WebSocket subprotocol)
    { token: 'terminal-token.not-a-real-one', user: 'terminal-user', groups: ['system:masters'] },
  ]),
  afterUp: () => setUp(),
  beforeDown: async () => browser?.close(),
});
const { skip, dir } = c;
const POD = 'ticker';
let t: Target;
let browser: Browser | undefined;
const tabs: Page[] = [];

const kubectl = (args: string[], input?: string): string => c.ok(args, input);

/** Signs the page in: a static token (<data-dir>/token-auth.csv, read by the API server flotilla up starts). */
const token = `dash-node-admin.${randomBytes(12).toString('hex')}`;

async function setUp(): Promise<void> {
  t = target({ url: c.url, dir }, token);
  const image = `${c.registry}/flotilla/web:v1`;
  // two containers: one counts a line a second, the other says one thing and sleeps
  kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'counter', image, command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'] },
        { name: 'quiet', image, command: ['sh', '-c', 'echo "quiet container up"; exec sleep 100000'] },
        // exits after a moment and is restarted: its previous instance has a log of its own
        { name: 'flaky', image, command: ['sh', '-c', 'echo "flaky started at $(date +%s)-$RANDOM"; sleep 2; exit 3'] },
      ],
    },
  }));
  await waitFor('the pod running', async () => JSON.parse(kubectl(['get', 'pod', POD, '-o', 'json'])).status.phase === 'Running', 120_000, 500);
  browser = await Browser.launch();
}

afterEach(async () => {
  await Promise.all(tabs.splice(0).map((p) => p.close().catch(() => undefined)));
});

async function open(path: string): Promise<Page> {
  const tab = await (browser as Browser).open(t, path);
  tabs.push(tab.page);
  return tab.page;
}

const logLines = (page: Page) => page.locator('[data-log] .line').allInnerTexts();
const lastTick = (lines: string[]) => Math.max(-1, ...lines.map((l) => /^tick (\d+)$/.exec(l)?.[1]).filter(Boolean).map(Number));

test('the log of a pod streams and follows new lines; another container; search', { skip }, async () => {
  const page = await open(`/dashboard/r/core/v1/pods/default/${POD}?tab=logs`);
  await page.locator('[data-log-state=streaming]').waitFor();
  const first = await waitFor('log lines', async () => {
    const n = lastTick(await logLines(page));
    return n >= 0 ? n : undefined;
  }, 30_000, 200);
  const later = await waitFor('newer lines, with no reload', async () => {
    const n = lastTick(await logLines(page));
    return n >= first + 2 ? n : undefined;
  }, 30_000, 200);
  assert.ok(later > first);
  const lines = await logLines(page);
  const ticks = lines.map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]));
  assert.deepEqual(ticks, ticks.map((_, i) => (ticks[0] as number) + i), 'every line once, in order');
  await screenshot(page, 'logs');

  await page.fill('[data-log-search]', 'tick 1');
  const found = await logLines(page);
  assert.ok(found.length >= 1 && found.every((l) => l.includes('tick 1')), found.join('|'));
  assert.ok(await page.locator('[data-log] mark').count() >= 1, 'matches are marked');
  await page.fill('[data-log-search]', '');

  await page.selectOption('[data-container]', 'quiet');
  await page.locator('[data-log] .line:has-text("quiet container up")').waitFor();
  assert.equal(lastTick(await logLines(page)), -1, 'only the chosen container\'s log');

  // the previous instance of a restarted container
  await waitFor('flaky restarted', async () => {
    const p = JSON.parse(kubectl(['get', 'pod', POD, '-o', 'json']));
    const st = p.status.containerStatuses.find((c: { name: string }) => c.name === 'flaky');
    return st?.restartCount >= 1 && st.lastState?.terminated ? true : undefined;
  }, 60_000, 500);
  const expected = kubectl(['logs', POD, '-c', 'flaky', '--previous']).trim();
  assert.match(expected, /^flaky started at \d+-\d+$/);
  await page.selectOption('[data-container]', 'flaky');
  await page.check('[data-previous]');
  await page.locator('[data-log-state=ended][data-log-stream="flaky previous"]').waitFor();
  // the container keeps restarting (10 s back-off and more): what the page read is what kubectl read just before
  // it or just after it
  const shown = await logLines(page);
  const afterwards = kubectl(['logs', POD, '-c', 'flaky', '--previous']).trim();
  assert.ok(shown.length === 1 && [expected, afterwards].includes(shown[0] as string),
    `the previous instance's log, as kubectl logs --previous shows it: ${JSON.stringify(shown)} vs ${JSON.stringify([expected, afterwards])}`);
  assert.equal(await page.isDisabled('[data-follow]'), true, 'a finished log is not followed');
  assert.deepEqual(await cspViolations(page), []);
});

test('the terminal runs a shell in the container; resizing the window resizes the TTY', { skip }, async () => {
  // signed in with a token: the exec WebSocket can't carry an Authorization header, so it rides as a subprotocol
  const token = 'terminal-token.not-a-real-one';
  const tab = await (browser as Browser).open({ ...t, token }, `/dashboard/r/core/v1/pods/default/${POD}?tab=terminal`);
  tabs.push(tab.page);
  const page = tab.page;
  const handshakes: Array<{ url: string; headers: Record<string, string> }> = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketWillSendHandshakeRequest', (e: { request: { headers: Record<string, string> } }) => handshakes.push({ url: '', headers: e.request.headers }));
  cdp.on('Network.webSocketCreated', (e: { url: string }) => handshakes.push({ url: e.url, headers: {} }));
  await page.reload(); // with the recorder on (the token stays in the tab's sessionStorage)
  await page.locator('[data-terminal-state=open]').waitFor({ timeout: 30_000 });
  const offered = handshakes.map((h) => h.headers['Sec-WebSocket-Protocol'] ?? h.headers['sec-websocket-protocol']).find(Boolean) ?? '';
  assert.deepEqual(offered.split(/,\s*/), ['v5.channel.k8s.io', 'v4.channel.k8s.io', `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`]);
  const wsUrl = handshakes.find((h) => h.url)?.url ?? '';
  assert.match(wsUrl, new RegExp(`^wss://127\\.0\\.0\\.1:\\d+/api/v1/namespaces/default/pods/${POD}/exec\\?`));
  assert.ok(!wsUrl.includes('not-a-real-one'), 'no token in the URL');
  const screen = () => page.locator('[data-terminal] .xterm-rows').innerText();
  const run = async (cmd: string, expect: RegExp): Promise<RegExpExecArray> => {
    await page.click('[data-terminal] .xterm');
    await page.keyboard.type(`${cmd}\n`);
    return waitFor(`the output of ${cmd}`, async () => expect.exec(await screen()) ?? undefined, 20_000, 100);
  };
  await run('echo "host: $HOSTNAME"', new RegExp(`^host: ${POD}\\s*$`, 'm'));
  const before = await run('echo "size: $(stty size)"', /^size: (\d+) (\d+)\s*$/m);
  const [rows0, cols0] = [Number(before[1]), Number(before[2])];
  assert.ok(rows0 > 5 && cols0 > 40, `a terminal fitted to its box: ${rows0}x${cols0}`);
  await screenshot(page, 'terminal');

  await page.setViewportSize({ width: 900, height: 600 });
  const after = await waitFor('a smaller TTY', async () => {
    await page.click('[data-terminal] .xterm');
    await page.keyboard.type('clear; echo "size2: $(stty size)"\n');
    const m = await waitFor('the size line', async () => /^size2: (\d+) (\d+)\s*$/m.exec(await screen()) ?? undefined, 10_000, 100);
    const size = [Number(m[1]), Number(m[2])];
    return size[0] !== rows0 && size[1] !== cols0 ? size : undefined;
  }, 20_000, 500);
  assert.ok((after[0] as number) < rows0 && (after[1] as number) < cols0, `shrunk from ${rows0}x${cols0} to ${after.join('x')}`);
  await run('exit', /exited|session ended/);
  await page.locator('[data-terminal-state=closed]').waitFor();
  assert.deepEqual(await cspViolations(page), []);
});

test('the form deploys an image with 2 replicas on a port and exposes it: the pods come up Running in the page, and the Service answers from the host', { skip }, async () => {
  const page = await open('/dashboard/create');
  await page.fill('input[name=name]', 'hello');
  await page.fill('input[name=image]', `${c.registry}/flotilla/web:v1`);
  await page.fill('input[name=replicas]', '2');
  await page.fill('input[name=port]', '8080');
  await page.click('[data-action=deploy]');
  await page.waitForURL(/\/dashboard\/r\/apps\/v1\/deployments\/default\/hello/);
  await page.waitForFunction(() => document.querySelectorAll('[data-noun="pods"] tbody tr[data-key] .pill.good').length === 2, undefined, { timeout: 120_000 });
  const running = (JSON.parse(kubectl(['get', 'pods', '-l', 'app=hello', '-o', 'json'])).items as Array<{ metadata: { name: string }; status: { phase: string } }>)
    .filter((p) => p.status.phase === 'Running').map((p) => p.metadata.name);
  assert.equal(running.length, 2, running.join(', '));

  // only once the node agent's rule for the ClusterIP is in may anything connect to it (it would leave by the default route)
  const { ruleInstalled } = serviceTraffic(c, `flotilla-proxy-${nodeNetworkName(podNetworkFor(dir).bridge)}`);
  const ip = JSON.parse(kubectl(['get', 'service', 'hello', '-o', 'json'])).spec.clusterIP as string;
  await ruleInstalled(ip, 8080);
  const page1 = await waitFor('the Service answering', () => fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => undefined), 60_000, 500);
  assert.match(page1, /<title>flotilla web v1<\/title>/);
  assert.deepEqual(await cspViolations(page), []);
  kubectl(['delete', 'deployment,service', 'hello', '--wait=false']);
});
