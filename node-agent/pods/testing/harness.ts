// One pod on the fake API server and the fake runtime, synced by hand: what the syncPod unit tests share.
import type { TestContext } from 'node:test';
import { findByKind } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { EventRecorder } from '../../../lib/client/events.js';
import { FakeApiServer } from '../../../lib/client/fake.js';
import type { PodObjects } from '../objects.js';
import { syncPod } from '../sync.js';
import { testDeps, type TestDeps } from './deps.js';
import { FakeRuntime } from './fake-runtime.js';

export const POD = findByKind('v1', 'Pod')!;
export const CONFIGMAP = findByKind('v1', 'ConfigMap')!;
export const SECRET = findByKind('v1', 'Secret')!;

export interface PodHarness extends TestDeps {
  api: FakeApiServer;
  rt: FakeRuntime;
  /** Stores the pod (name `web` in `default`, bound to node-1) and returns it. */
  seed(spec: Record<string, unknown>, metadata?: Record<string, unknown>): KubeObject;
  /** The pod as the API has it now. */
  pod(): KubeObject;
  /** One sync of the pod as stored now; returns when it asks to look again. */
  sync(): Promise<number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status(): Record<string, any>;
  /** Event reasons and messages the API has, as `Reason: message`. */
  apiEvents(): Promise<string[]>;
}

export function podHarness(t: TestContext, o: { objects?: (api: FakeApiServer) => PodObjects } = {}): PodHarness {
  const api = new FakeApiServer();
  const rt = new FakeRuntime();
  const client = api.client();
  const recorder = new EventRecorder(client, 'kubelet', 'node-1');
  const h = testDeps({ client, cri: rt.client(), recorder, objects: o.objects?.(api) });
  t.after(() => h.cleanup());
  let uid = '';
  const get = () => api.get(POD, 'web', 'default') as KubeObject;
  return {
    ...h, api, rt,
    seed(spec, metadata = {}) {
      const p = api.seed(POD, { metadata: { name: 'web', namespace: 'default', ...metadata }, spec: { nodeName: 'node-1', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, ...spec }, status: { phase: 'Pending' } });
      uid = p.metadata.uid as string;
      return p;
    },
    pod: get,
    sync: () => syncPod(h.deps, uid, api.get(POD, 'web', 'default')),
    status: () => get().status,
    async apiEvents() {
      await recorder.flush();
      return api.list(findByKind('v1', 'Event')!, 'default').map((e) => `${e.reason}: ${e.message}`);
    },
  };
}
