// Dashboard benchmark (not part of npm test): the bundle's size (gzip), the time to the overview's first
// meaningful paint with 1,000 pods (hollow nodes), and how many watch events per second the pod table absorbs
// while a Deployment scales 0 -> 1,000, with the frame rate it keeps and whether it ends showing every pod.
// Measured in Debian's headless Chromium driven by playwright-core; everything runs on this machine's cores.
// Run: node dist/bench/dashboard.js   (BENCH_PODS, BENCH_NODES, BENCH_RUNS to change the sizes)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { ROOT, TestCluster, waitFor, watchEvents } from '../e2e/harness.js';
import { Browser, CHROMIUM, dashboardUrl, target } from '../e2e/dashboard-harness.js';

// Functions given to the page run in the browser; these name its globals for the compiler (module-scoped).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, requestAnimationFrame: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PODS = Number(process.env.BENCH_PODS ?? '1000');
const NODES = Number(process.env.BENCH_NODES ?? '20');
const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const WWW = join(ROOT, 'dist/dashboard/www');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : NaN;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Sizes of what the first page loads (index.html, its script and stylesheet and their static imports) and of all. */
function bundleSizes(): { first: number; all: number; files: number } {
  const html = readFileSync(join(WWW, 'index.html'));
  const assets = readdirSync(join(WWW, 'assets')).filter((f) => /\.(js|css|svg)$/.test(f));
  const gz = (f: string) => gzipSync(readFileSync(join(WWW, 'assets', f)), { level: 6 }).length; // what the API server sends
  const direct = [...html.toString().matchAll(/\/dashboard\/assets\/([^"]+)/g)].map((m) => m[1] as string);
  const first = new Set(direct);
  for (const f of direct.filter((x) => x.endsWith('.js'))) {
    for (const m of readFileSync(join(WWW, 'assets', f), 'utf8').matchAll(/from"\.\/([^"]+\.js)"/g)) first.add(m[1] as string); // static imports
  }
  const htmlGz = gzipSync(html).length;
  return { first: htmlGz + [...first].reduce((n, f) => n + gz(f), 0), all: htmlGz + assets.reduce((n, f) => n + gz(f), 0), files: assets.length };
}

/** CPU seconds the whole machine has spent busy since boot (/proc/stat: all but idle and iowait). */
function machineBusySeconds(): number {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0) / 100;
}

async function scaleTo(c: TestCluster, n: number): Promise<void> {
  c.ok(['scale', 'deploy/load', `--replicas=${n}`]);
}

async function runningPods(c: TestCluster): Promise<number> {
  const l = (await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dload')).body as { items: Array<{ status?: { phase?: string }; metadata: { deletionTimestamp?: string } }> };
  return l.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length;
}

/**
 * Opens the overview in a fresh tab (with the browser's cache emptied first when cold) and reads the marks the page
 * sets once nodes and pods are in and painted.
 */
async function overviewPaint(browser: Browser, url: string, cold: boolean): Promise<{ painted: number; fcp: number }> {
  const page = await browser.context.newPage();
  try {
    if (cold) {
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
    }
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('[data-pod-count]')?.getAttribute('data-pod-count') !== null && window.performance.getEntriesByName('flotilla:overview-painted').length > 0, undefined, { timeout: 60_000 });
    const count = Number(await page.locator('[data-pod-count]').getAttribute('data-pod-count'));
    if (count < PODS) throw new Error(`the overview shows ${count} pods, expected ${PODS}`);
    return page.evaluate(() => ({
      painted: window.performance.getEntriesByName('flotilla:overview-painted')[0].startTime as number,
      fcp: (window.performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN) as number,
    }));
  } finally {
    await page.close();
  }
}

/** Records every animation frame's time in the page until stopped. */
async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as { frames_: number[]; framesOn: boolean };
    w.frames_ = [];
    w.framesOn = true;
    const tick = (t: number) => {
      w.frames_.push(t);
      if (w.framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as { frames_: number[]; framesOn: boolean };
    w.framesOn = false;
    return w.frames_;
  });
}

async function main(): Promise<void> {
  const sizes = bundleSizes();
  const chromium = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`# Dashboard benchmark: ${NODES} hollow nodes, ${PODS} pods, ${RUNS} page loads`);
  console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${chromium} headless (--disable-gpu), 1280x800`);
  console.log('# etcd, API server, controller-manager, scheduler, hollow nodes, Chromium and this driver share the machine; HTTPS on loopback, the page signed in with a static admin token');
  console.log(`# load average at the start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine counts against every figure)\n`);
  console.log(`bundle: first page ${kb(sizes.first)} gzip (index.html + entry script + stylesheet), all ${sizes.files} assets ${kb(sizes.all)} gzip (target <= 300 KB)`);

  const token = 'bench-dashboard-admin';
  const c = await TestCluster.start({ apiserverArgs: ['--watch-bookmark-interval', '3600'], tokens: [{ token, user: 'bench-admin', groups: ['system:masters'] }] });
  let browser: Browser | undefined;
  try {
    c.component('controller-manager', ['--leader-elect=false']);
    c.component('scheduler', ['--leader-elect=false']);
    c.component('hollow-nodes', ['--count', String(NODES), '--name-prefix', 'hn']);
    await waitFor(`${NODES} nodes`, async () => (await c.request('GET', '/api/v1/nodes')).body.items?.length === NODES, 120_000, 500);
    c.ok(['create', 'deployment', 'load', '--image=registry.example/load:v1', `--replicas=${PODS}`]);
    await waitFor(`${PODS} running pods`, async () => (await runningPods(c)) === PODS, 300_000, 500);
    browser = await Browser.launch();
    const t = target(c, token);

    // first meaningful paint: the overview with every node and all pods counted, painted
    const url = dashboardUrl(t);
    const blank = await browser.context.newPage(); // the browser's own start-up isn't the page's
    await blank.goto('about:blank');
    const cold: Array<{ painted: number; fcp: number }> = [];
    const warm: Array<{ painted: number; fcp: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      cold.push(await overviewPaint(browser, url, true));
      warm.push(await overviewPaint(browser, url, false));
    }
    await blank.close();
    const line = (xs: Array<{ painted: number; fcp: number }>) => `p50 ${pct(xs.map((x) => x.painted), 50).toFixed(0)} ms, max ${Math.max(...xs.map((x) => x.painted)).toFixed(0)} ms (first contentful paint p50 ${pct(xs.map((x) => x.fcp), 50).toFixed(0)} ms)`;
    console.log(`overview with ${PODS} pods, first meaningful paint (every node and pod in, painted), ${RUNS} loads each:`);
    console.log(`  empty cache:     ${line(cold)}`);
    console.log(`  assets cached:   ${line(warm)}   (target <= 1,000 ms)`);

    // the pod table during a scale 0 -> PODS
    await scaleTo(c, 0);
    await waitFor('no pods', async () => ((await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dload')).body.items?.length ?? -1) === 0, 300_000, 500);
    const page = await browser.context.newPage();
    await page.goto(dashboardUrl(t, '/dashboard/pods?ns=default'));
    await page.waitForFunction(() => document.querySelector('.live.on') !== null, undefined, { timeout: 60_000 });
    const updates0 = Number(await page.locator('.live').getAttribute('data-updates'));
    const list = (await c.request('GET', '/api/v1/namespaces/default/pods?limit=1')).body as { metadata: { resourceVersion: string } };
    const abort = new AbortController();
    let events = 0;
    const counting = (async () => {
      for await (const ev of watchEvents(`${c.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, abort.signal)) if (ev.type !== 'BOOKMARK') events++;
    })().catch(() => undefined);
    // the page's own main-thread time (Chromium's TaskDuration) and the machine's, over the same window: frames late
    // while the page's thread is mostly idle were late for want of a core, not for the page's work
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    if (process.env.BENCH_PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const taskSeconds = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN);
    const task0 = await taskSeconds();
    const busy0 = machineBusySeconds();
    await startFrames(page);
    const t0 = performance.now();
    await scaleTo(c, PODS);
    await waitFor(`${PODS} running pods`, async () => (await runningPods(c)) === PODS, 300_000, 200);
    const settled = performance.now();
    const pageBusy = (await taskSeconds()) - task0;
    if (process.env.BENCH_PROFILE) writeFileSync(process.env.BENCH_PROFILE, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    const machineBusy = machineBusySeconds() - busy0;
    // the page must end showing every pod Running (filter on the status)
    await page.fill('[data-filter]', 'Running');
    await page.waitForFunction((n: number) => document.querySelector('[data-noun="pods"]')?.getAttribute('data-rows') === String(n), PODS, { timeout: 60_000 });
    const shown = performance.now();
    const frames = await stopFrames(page);
    abort.abort();
    await counting;
    const updates = Number(await page.locator('.live').getAttribute('data-updates')) - updates0;
    const seconds = (settled - t0) / 1000;
    const inWindow = frames.filter((f, i) => i > 0 && f - (frames[0] as number) <= settled - t0);
    const gaps = inWindow.map((f, i) => f - (i === 0 ? (frames[0] as number) : (inWindow[i - 1] as number)));
    const fps = gaps.length / seconds;
    const long = gaps.filter((g) => g > 1000 / 60 * 1.5).length;
    console.log(`pod table during a scale 0 -> ${PODS}: ${events} watch events in ${seconds.toFixed(1)} s = ${(events / seconds).toFixed(0)} events/s absorbed, page applied ${updates} updates (${updates >= events ? 'none dropped' : `${events - updates} MISSING`}), all ${PODS} shown Running ${((shown - settled) / 1000).toFixed(2)} s after the cluster got there`);
    console.log(`frames meanwhile: ${fps.toFixed(1)} fps, frame interval p50 ${pct(gaps, 50).toFixed(1)} ms, p99 ${pct(gaps, 99).toFixed(1)} ms, max ${Math.max(...gaps).toFixed(0)} ms, ${long} of ${gaps.length} frames over 25 ms (target 60 fps, no dropped updates)`);
    console.log(`  the page's main thread was busy ${(100 * pageBusy / seconds).toFixed(0)}% of that time; the machine's ${cpus().length} cores ${(100 * machineBusy / seconds / cpus().length).toFixed(0)}% (cluster, browser and driver together)`);
    await cdp.detach();
    await page.close();
    console.log(`# load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await browser?.close();
    await c.stop();
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
