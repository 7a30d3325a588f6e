// api.proto declares only what the CRI client uses: exactly the RPCs CriClient calls, and only messages those RPCs
// reach. (Its names and numbers follow upstream's runtime.v1; e2e/runtime/cri.test.ts speaks it to a real containerd.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { CriClient } from './client.js';

function apiProto(): protobuf.Root {
  for (const rel of ['./api.proto', '../../../node-agent/cri/api.proto']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(path)) continue;
    const root = protobuf.loadSync(path);
    root.resolveAll();
    return root;
  }
  throw new Error('api.proto not found');
}

/** Every RPC a CriClient method sends, found by calling each method with the transport replaced. */
function rpcsTheClientCalls(): Set<string> {
  const client = new CriClient({ endpoint: '/nonexistent/flotilla-api-test.sock' });
  const rpcs = new Set<string>();
  client.call = async <Res>(service: string, rpc: string): Promise<Res> => {
    rpcs.add(`${service}/${rpc}`);
    return {} as Res;
  };
  const skip = new Set(['constructor', 'call', 'waitForReady', 'close', 'rt']);
  const methods = Object.getOwnPropertyNames(CriClient.prototype).filter((name) => !skip.has(name));
  for (const name of methods) {
    const method = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
    void method.call(client, {}, {}, {}, {});
  }
  client.close();
  assert.ok(methods.length > 20, `only ${methods.length} client methods found`);
  return rpcs;
}

test('api.proto declares exactly the RPCs the CRI client calls', () => {
  const root = apiProto();
  const declared = ['RuntimeService', 'ImageService'].flatMap((s) => root.lookupService(`runtime.v1.${s}`).methodsArray.map((m) => `${s}/${m.name}`));
  assert.deepEqual([...rpcsTheClientCalls()].sort(), declared.sort());
});

test('api.proto holds no message or enum those RPCs do not reach', () => {
  const root = apiProto();
  const reached = new Set<string>();
  const visit = (t: protobuf.ReflectionObject | null): void => {
    if (!t || reached.has(t.fullName)) return;
    reached.add(t.fullName);
    if (t instanceof protobuf.Type) for (const f of t.fieldsArray) visit(f.resolvedType);
  };
  for (const s of ['RuntimeService', 'ImageService']) {
    for (const m of root.lookupService(`runtime.v1.${s}`).methodsArray) {
      visit(m.resolvedRequestType);
      visit(m.resolvedResponseType);
    }
  }
  const declared: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type || o instanceof protobuf.Enum) declared.push(o.fullName);
      if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o);
    }
  };
  walk(root);
  assert.deepEqual(declared.filter((name) => !reached.has(name)), []);
});
