// The setting the hollow-node dashboard tests share: a test cluster (API server, controller-manager, scheduler,
// three hollow nodes, the demo app from manifests/demo) and one headless Chromium, with every tab checked for CSP
// violations and uncaught errors and closed after its test, even a failed one (an open tab keeps its watches, and
// the browser's few connections to the server, busy).
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { ROOT, type StaticToken, TestCluster, waitFor } from './harness.js';
import { Browser, type Target, api, cspViolations, target } from './dashboard-harness.js';

export interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string };
}

export interface Tab {
  page: Page;
  requests: Request[];
  errors: string[];
  /** Checks the page broke no CSP rule and threw nothing, then closes it. */
  done(): Promise<void>;
}

export interface DashboardSuite {
  readonly c: TestCluster;
  readonly t: Target;
  readonly browser: Browser;
  open(path: string, o?: { token?: string }): Promise<Tab>;
  pods(selector: string): Promise<Pod[]>;
  kubectlJson(args: string[]): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The static tokens of the suite's API server: the one the page signs in with (an admin until RBAC lands), and the
 * ones the sign-in tests type or pass in links.
 */
export const ADMIN_TOKEN = 'dashboard-admin.e2e-only';
export const SUITE_TOKENS: StaticToken[] = [
  { token: ADMIN_TOKEN, user: 'dashboard-admin', groups: ['system:masters'] },
  { token: 'dashboard-test-token.not-a-real-one', user: 'dashboard-fragment-user', groups: ['system:masters'] },
  { token: 'good-token', user: 'dashboard-sign-in-user', groups: ['system:masters'] },
];

export const live = (ps: Pod[]): Pod[] => ps.filter((p) => !p.metadata.deletionTimestamp);

/** Registers the suite's before/after hooks; its fields are set once before() has run. */
export function hollowDashboard(): DashboardSuite {
  let c: TestCluster | undefined;
  let browser: Browser | undefined;
  let t: Target | undefined;
  const tabs: Page[] = [];
  const s: DashboardSuite = {
    get c() {
      return c as TestCluster;
    },
    get t() {
      return t as Target;
    },
    get browser() {
      return browser as Browser;
    },
    async open(path, o = {}) {
      const tab = await s.browser.open(o.token ? { ...s.t, token: o.token } : s.t, path);
      tabs.push(tab.page);
      return {
        ...tab,
        async done() {
          assert.deepEqual(await cspViolations(tab.page), [], 'no Content-Security-Policy violation');
          assert.deepEqual(tab.errors, [], 'no uncaught error in the page');
          await tab.page.close();
        },
      };
    },
    pods: async (selector) => (await api(s.t, 'GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body.items,
    kubectlJson: (args) => JSON.parse(s.c.ok([...args, '-o', 'json'])),
  };
  before(async () => {
    c = await TestCluster.startWithHollowNodes({ count: 3, prefix: 'hn', heartbeatSeconds: 2, tokens: SUITE_TOKENS });
    c.ok(['apply', '-f', join(ROOT, 'manifests/demo/web.yaml')]);
    t = target(c, ADMIN_TOKEN);
    await waitFor('3 running demo pods', async () => live(await s.pods('app=web')).filter((p) => p.status?.phase === 'Running').length === 3, 60_000);
    browser = await Browser.launch();
  });
  afterEach(async () => {
    await Promise.all(tabs.splice(0).map((p) => p.close().catch(() => undefined)));
  });
  after(async () => {
    await browser?.close();
    await c?.stop();
  });
  return s;
}

/** Lets the page render what it has received (two animation frames). */
export const frames = (page: Page): Promise<void> => page.evaluate(() => new Promise<void>((r) => {
  const raf = (cb: () => void): void => (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame(cb);
  raf(() => raf(() => r()));
}));
