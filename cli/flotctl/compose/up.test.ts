// compose up against a fake API (the real one is in e2e/statefulset-node.test.ts): the namespace and every object
// created, a second up unchanged, and a service removed from the file pruned with its Service while the claim stays.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../../lib/client/rest.js';
import { Ctx } from '../context.js';
import { loadProject } from './project.js';
import { up } from './up.js';

/** Objects by kind/namespace/name; patches are merged shallowly into spec, which is all these tests look at. */
class FakeClient {
  objs = new Map<string, KubeObject>();
  key = (k: KindInfo, name: string, ns = '') => `${k.kind}/${ns}/${name}`;
  async get(k: KindInfo, name: string, o: { namespace?: string } = {}) {
    const v = this.objs.get(this.key(k, name, o.namespace));
    if (!v) throw new ApiError(404, { kind: 'Status', code: 404, message: `${k.resource} "${name}" not found` } as never);
    return structuredClone(v);
  }
  async create(k: KindInfo, obj: KubeObject, o: { namespace?: string } = {}) {
    this.objs.set(this.key(k, obj.metadata.name as string, o.namespace), structuredClone(obj));
    return obj;
  }
  async patch(k: KindInfo, name: string, patch: KubeObject, _t: string, o: { namespace?: string } = {}) {
    const v = await this.get(k, name, o);
    const next = { ...v, ...patch, metadata: { ...v.metadata, ...patch.metadata, annotations: { ...v.metadata.annotations, ...patch.metadata?.annotations } } };
    this.objs.set(this.key(k, name, o.namespace), next);
    return next;
  }
  async listAll(k: KindInfo, o: { namespace?: string; labelSelector?: string }) {
    const want = (o.labelSelector ?? '').split(',').filter(Boolean).map((kv) => kv.split('='));
    const items = [...this.objs.entries()].filter(([key]) => key.startsWith(`${k.kind}/${o.namespace ?? ''}/`)).map(([, v]) => v)
      .filter((v) => want.every(([lk, lv]) => v.metadata.labels?.[lk as string] === lv));
    return { apiVersion: 'v1', kind: 'List', metadata: {}, items };
  }
  async delete(k: KindInfo, name: string, o: { namespace?: string } = {}) {
    await this.get(k, name, o);
    this.objs.delete(this.key(k, name, o.namespace));
    return {} as KubeObject;
  }
}

function fakeCtx(client: FakeClient, out: string[]): Ctx {
  const ctx = new Ctx({ flags: new Map(), args: [] });
  Object.defineProperty(ctx, 'client', { get: () => client });
  ctx.print = (s: string) => void out.push(...s.split('\n').filter(Boolean));
  ctx.warn = () => {};
  return ctx;
}

const FILE = (withCache: boolean) => `
services:
  web:
    image: web:1
    ports: ["8080:80"]
    volumes: [data:/data]
${withCache ? '  cache:\n    image: cache:1\n    expose: ["6379"]\n' : ''}volumes:
  data: {}
`;

test('compose up: creates, then reports unchanged, then prunes a removed service and keeps the claim', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'compose-up-'));
  t.after(() => rmSync(d, { recursive: true }));
  const client = new FakeClient();
  const run = async (withCache: boolean) => {
    writeFileSync(join(d, 'compose.yaml'), FILE(withCache));
    const out: string[] = [];
    const ctx = fakeCtx(client, out);
    await up(ctx, { flags: new Map(), args: [] }, loadProject({ files: [], cwd: d, projectName: 'app', profiles: [], env: {} }));
    assert.equal(ctx.failed, false);
    return out;
  };
  assert.deepEqual(await run(true), ['namespace/app created', 'persistentvolumeclaim/data created', 'service/cache created', 'deployment.apps/cache created',
    'service/web created', 'deployment.apps/web created']);
  assert.deepEqual(await run(true), ['persistentvolumeclaim/data unchanged', 'service/cache unchanged', 'deployment.apps/cache unchanged',
    'service/web unchanged', 'deployment.apps/web unchanged']);
  assert.deepEqual(await run(false), ['persistentvolumeclaim/data unchanged', 'service/web unchanged', 'deployment.apps/web unchanged',
    'deployment.apps/cache pruned', 'service/cache pruned']);
  assert.deepEqual([...client.objs.keys()].sort(), ['Deployment/app/web', 'Namespace//app', 'PersistentVolumeClaim/app/data', 'Service/app/web']);
});
