// What the dashboard's browser tests share: how the page is reached (HTTPS, and the token the page signs in with),
// Debian's Chromium driven headless by playwright-core with a fresh profile, screenshots under .artifacts/dashboard/,
// and the page's Content-Security-Policy violations.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, type Request, chromium } from 'playwright-core';
import { ROOT, apiFetch } from './harness.js';

// Functions given to the page run in the browser; these name its globals for the compiler (module-scoped).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, '.artifacts/dashboard');

/**
 * Where the dashboard is and who the page acts as: the API server's HTTPS address, the cluster's CA (for the
 * requests the tests make outside the page; Chromium is told to accept the cluster's certificate) and a bearer
 * token (a static token today, a ServiceAccount token once they exist): the page gets it as `#token=` and api()
 * sends it.
 */
export interface Target {
  /** The API server's base URL, e.g. https://127.0.0.1:PORT. */
  url: string;
  token?: string;
  /** The cluster CA (PEM), read from the data dir. */
  ca?: Buffer;
}

/** The target of a cluster whose data dir holds its CA (pki/ca.crt), acting with the token given. */
export function target(cluster: { url: string; dir: string }, token?: string): Target {
  const caFile = join(cluster.dir, 'pki/ca.crt');
  return { url: cluster.url, token, ca: existsSync(caFile) ? readFileSync(caFile) : undefined };
}

/** The dashboard URL for a path under /dashboard/, with the one-time token fragment when there is a token. */
export function dashboardUrl(t: Target, path = '/dashboard/'): string {
  return `${t.url}${path}${t.token ? `#token=${encodeURIComponent(t.token)}` : ''}`;
}

/** A request to the API as the target's user (for checks outside the page, and forged writes): its token, no client certificate. */
export async function api(t: Target, method: string, path: string, body?: unknown, headers: Record<string,
  string> = {}): Promise<{ status: number; body: any; text: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  const r = await apiFetch(t.url + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, { ca: t.ca, token: t.token });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, body: parsed, text };
}

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium with a profile of its own (removed on close). */
export class Browser {
  private constructor(readonly context: BrowserContext, private readonly profile: string) {}

  static async launch(o: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'flotilla-chromium-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: o.viewport ?? { width: 1280, height: 800 },
        colorScheme: o.colorScheme ?? 'light',
        // the cluster's own CA isn't in Chromium's store once the API server is HTTPS-only
        ignoreHTTPSErrors: true,
      });
      // CSP violations, collected by the page itself (init scripts run before the page's and aren't subject to CSP)
      await context.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
      });
      return new Browser(context, profile);
    } catch (e) {
      rmSync(profile, { recursive: true, force: true });
      throw e;
    }
  }

  /** A new tab on the dashboard; records every request it makes. */
  async open(t: Target, path = '/dashboard/'): Promise<{ page: Page; requests: Request[]; errors: string[] }> {
    const page = await this.context.newPage();
    const requests: Request[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r));
    page.on('pageerror', (e) => errors.push(e.message));
    // Chromium drops a navigation whose network changed under it (net::ERR_NETWORK_CHANGED, or the navigation is
    // replaced by its error page, chrome-error://): other test files add and remove bridges and veths on this
    // machine. A user would reload; so does the harness, a few times.
    // Changes come in bursts (a pod's veth, its routes): each retry waits a little longer for the network to settle.
    for (let attempt = 1; ; attempt++) {
      try {
        await page.goto(dashboardUrl(t, path));
        break;
      } catch (e) {
        // (or Chromium reloads the page itself: "interrupted by another navigation" to the same address)
        if (attempt >= 8 || !/ERR_NETWORK_CHANGED|interrupted by another navigation to "(chrome-error:|[^"]*\/dashboard\/)/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
    return { page, requests, errors };
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Saves a screenshot as .artifacts/dashboard/NAME.png (git-ignored build artifacts). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}
