// Running a control-plane component the way Kubernetes runs kube-controller-manager and kube-scheduler: find the
// API server through a kubeconfig, optionally campaign for a Lease in kube-system and work only while leading
// (losing the lease ends the process so a standby takes over cleanly), serve /metrics and /healthz, and stop on
// SIGINT/SIGTERM, releasing the lease so the standby doesn't wait for it to expire.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { Client, LeaderElector, loadKubeConfig } from '../lib/client/index.js';
import { logger } from '../lib/util/log.js';
import { VERSION } from '../lib/api/version.js';

export interface ComponentOptions {
  /** Lease name in kube-system, e.g. kube-controller-manager. */
  name: string;
  kubeconfig: string;
  leaderElect: boolean;
  /** Serve /metrics and /healthz here (host:port); empty = don't. */
  metricsAddress?: string;
  /** The registry to serve (it may appear only once the component runs). */
  metrics?: () => Registry | undefined;
  /** Does the work until signal aborts. */
  run: (client: Client, signal: AbortSignal) => Promise<void>;
}

/** `<name>/<server version> (<os>/<arch>)`, the User-Agent Kubernetes' components send. */
export const componentUserAgent = (name: string): string => `${name}/${VERSION.gitVersion} (${VERSION.platform})`;

export async function runComponent(o: ComponentOptions): Promise<void> {
  const log = logger(o.name);
  // the component's Kubernetes name is its field manager too (managedFields show kube-controller-manager, as there)
  const client = new Client({ ...loadKubeConfig({ kubeconfig: o.kubeconfig }), userAgent: componentUserAgent(o.name) });
  const server = o.metricsAddress ? await serveMetrics(o.metricsAddress, o.metrics) : undefined;
  let working: AbortController | undefined;
  let done: Promise<void> | undefined;
  const work = (signal: AbortSignal) => {
    working = new AbortController();
    signal.addEventListener('abort', () => working?.abort(), { once: true });
    done = o.run(client, working.signal).catch((e: Error) => {
      log.error('component failed', { error: e.message });
      process.exit(1);
    });
  };
  const elector = o.leaderElect
    ? new LeaderElector(client, {
        namespace: 'kube-system',
        name: o.name,
        identity: `${hostname()}_${process.pid}`,
        leaseDurationSeconds: 15,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        onStartedLeading: work,
        onStoppedLeading: () => {
          if (stopping) return;
          log.error('leader lease lost; exiting so a standby takes over');
          process.exit(1);
        },
        onNewLeader: (id) => log.info('leader is', { identity: id }),
      })
    : undefined;
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: sig });
    working?.abort();
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    await elector?.stop();
    server?.close();
    client.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (elector) elector.start();
  else work(new AbortController().signal);
}

async function serveMetrics(address: string, metrics?: () => Registry | undefined): Promise<Server> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i) || '127.0.0.1';
  const port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    if (req.url === '/healthz' || req.url === '/readyz' || req.url === '/livez') {
      res.end('ok');
      return;
    }
    const registry = metrics?.();
    if (req.url === '/metrics' && registry) {
      registry.metrics().then((text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.end(text);
      }, () => res.writeHead(500).end());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
