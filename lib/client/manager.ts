// The Manager: what a third-party controller process runs. It holds one shared informer per kind (however many
// controllers read that kind, one LIST+WATCH), an event recorder, metrics, and optionally a Lease-based leader
// election: every process keeps its caches warm, only the leader reconciles. stop() is graceful: no new
// reconcile starts, the ones in flight finish, then the lease is released (a standby takes over at once), the
// watches close and the recorded events are written. A leader that loses its lease stops reconciling at once and
// start() rejects, so the process can exit and be restarted (controller-runtime does the same).
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import { Controller, ControllerBuilder, type ControllerOptions } from './controller.js';
import { EventRecorder } from './events.js';
import { SharedInformerFactory, type Informer } from './informer.js';
import { LeaderElector } from './leaderelection.js';
import { ControllerMetrics } from './metrics.js';
import type { Client } from './rest.js';

const log = logger('manager');

export interface ManagerLeaderElection {
  /** The Lease's namespace. */
  namespace: string;
  /** The Lease's name (default: the manager's name). */
  name?: string;
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  client: Client;
  /** Names the manager in logs, events (their source component) and the default Lease. */
  name: string;
  /** Lease-based leader election; without it this process reconciles at once (run one replica only). */
  leaderElection?: ManagerLeaderElection;
  /** Watch and reconcile only this namespace (default: all). */
  namespace?: string;
  /** Re-deliver every cached object this often, so reconciles also catch drift nobody announced (default never). */
  resyncMs?: number;
  /** Serve /metrics, /healthz and /readyz on this port (0: any free one); undefined: no server. */
  metricsPort?: number;
  /** The metrics server's address (default 127.0.0.1). */
  metricsHost?: string;
}

export class Manager {
  readonly client: Client;
  readonly informers: SharedInformerFactory;
  readonly recorder: EventRecorder;
  readonly metrics: ControllerMetrics;
  private readonly controllers: Controller<KubeObject>[] = [];
  private elector?: LeaderElector;
  private server?: Server;
  private started = false;
  private stopping?: Promise<void>;
  private synced = false;
  private readonly abort = new AbortController();
  /** The controllers' loops, running while this process leads. */
  private running?: Promise<unknown>;
  private finish!: { resolve: () => void; reject: (e: Error) => void };
  private readonly done = new Promise<void>((resolve, reject) => (this.finish = { resolve, reject }));

  constructor(private readonly o: ManagerOptions) {
    this.client = o.client;
    this.informers = new SharedInformerFactory(o.client, o.resyncMs ?? 0);
    this.recorder = new EventRecorder(o.client, o.name, hostname());
    this.metrics = new ControllerMetrics(() => this.controllers.map((c) => ({ controller: c.name, depth: c.depth() })));
    this.metrics.leader.set({ name: this.leaseName }, o.leaderElection ? 0 : 1);
    this.done.catch(() => undefined); // start() hands the rejection to its caller
  }

  private get leaseName(): string {
    return this.o.leaderElection?.name ?? this.o.name;
  }

  /** Starts building a controller; complete(reconcile) adds it. Controllers are added before start(). */
  controller(name: string): ControllerBuilder {
    return new ControllerBuilder(name, (c) => this.add(c));
  }

  add<T extends KubeObject>(o: ControllerOptions<T>): Controller<T> {
    if (this.started) throw new Error(`controller ${o.name}: add controllers before start()`);
    if (this.controllers.some((c) => c.name === o.name)) throw new Error(`controller ${o.name} is already added`);
    const c = new Controller<T>({ client: this.client, informers: this.informers, recorder: this.recorder, metrics: this.metrics, namespace: this.o.namespace ?? '' }, o);
    this.controllers.push(c as unknown as Controller<KubeObject>);
    return c;
  }

  /**
   * The shared informer of a kind (in the manager's namespace, if it has one): what a reconcile reads children
   * from. The same informer owns() and for() use, so asking for it opens no second watch.
   */
  informerFor<T extends KubeObject = KubeObject>(kind: KindInfo & { readonly __object?: T }): Informer<T> {
    return this.informers.informerFor<T>(kind, kind.namespaced ? (this.o.namespace ?? '') : '');
  }

  /** Whether this process is the one reconciling (always true without leader election, once started). */
  isLeader(): boolean {
    return this.o.leaderElection ? !!this.elector?.isLeader() : this.running !== undefined;
  }

  /** The metrics server's address once start() has opened it. */
  get metricsAddress(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Runs the manager: caches, then (as leader) the controllers. Resolves once stop() (or the signal) has stopped it
   * all; rejects if leadership is lost.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) throw new Error('the manager is already started');
    this.started = true;
    if (signal?.aborted) return;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    if (this.o.metricsPort !== undefined) await this.serve(this.o.metricsPort, this.o.metricsHost ?? '127.0.0.1');
    await Promise.race([this.informers.start(), this.done.catch(() => undefined)]);
    if (this.stopping) return this.done;
    this.synced = true;
    const le = this.o.leaderElection;
    if (!le) {
      this.running = this.runControllers(this.abort.signal);
      return this.done;
    }
    this.elector = new LeaderElector(this.client, {
      namespace: le.namespace, name: this.leaseName, identity: le.identity, leaseDurationSeconds: le.leaseDurationSeconds,
      renewDeadlineMs: le.renewDeadlineMs, retryPeriodMs: le.retryPeriodMs,
      onStartedLeading: (leading) => {
        this.metrics.leader.set({ name: this.leaseName }, 1);
        this.running = this.runControllers(leading);
      },
      onStoppedLeading: () => {
        this.metrics.leader.set({ name: this.leaseName }, 0);
        if (!this.stopping) void this.shutDown(new Error(`leader election lost (lease ${le.namespace}/${this.leaseName})`));
      },
    });
    this.elector.start();
    return this.done;
  }

  private runControllers(signal: AbortSignal): Promise<unknown> {
    const all = AbortSignal.any([signal, this.abort.signal]);
    return Promise.all(this.controllers.map((c) => c.run(all)));
  }

  /** Stops gracefully: reconciles in flight finish, the lease is released, watches close, events are written. */
  stop(): Promise<void> {
    return this.shutDown();
  }

  private shutDown(error?: Error): Promise<void> {
    this.stopping ??= (async () => {
      log.info('stopping', { name: this.o.name, reason: error?.message ?? 'stop requested' });
      this.abort.abort();
      await this.running;
      await this.elector?.stop();
      this.informers.stop();
      const flushed = await Promise.race([this.recorder.flush().then(() => true), new Promise<boolean>((r) => setTimeout(r, 5000, false).unref())]);
      if (!flushed) log.warn('events not written before stopping');
      await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
      this.server?.closeAllConnections();
      if (error) this.finish.reject(error);
      else this.finish.resolve();
    })();
    return this.stopping;
  }

  private serve(port: number, host: string): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        this.metrics.text().then((text) => {
          res.writeHead(200, { 'Content-Type': this.metrics.contentType });
          res.end(text);
        }, (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        });
      } else if (path === '/healthz' || path === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      } else if (path === '/readyz') {
        res.writeHead(this.synced ? 200 : 503, { 'Content-Type': 'text/plain' });
        res.end(this.synced ? 'ok' : 'caches not synced');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    return new Promise((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, host, () => resolve());
    });
  }
}
