import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './protobuf.js';
import { ApiError } from '../errors.js';

// Tiny encoder for the test: tag + value in protobuf wire format.
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const field = (num: number, v: Buffer | number): Buffer => (typeof v === 'number' ? Buffer.from([...varint(num << 3), ...varint(v)]) : Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(v.length)]), v]));
const str = (s: string) => Buffer.from(s, 'utf8');
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, msg(field(1, str(apiVersion)), field(2, str(kind)))), field(2, raw)]);

test('a ConfigMap in the protobuf envelope decodes to its JSON form, empty Go fields left out', () => {
  const meta = msg(field(1, str('cm')), field(2, str('')), field(7, 0), field(11, msg(field(1, str('app')), field(2, str('web')))));
  const body = envelope('v1', 'ConfigMap', msg(field(1, meta), field(2, msg(field(1, str('k')), field(2, str('v'))))));
  assert.deepEqual(decodeKubernetesProtobuf(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { app: 'web' } }, data: { k: 'v' } });
});

test('int-or-string, quantities, pointer zeros and bytes keep their JSON forms', () => {
  const port = msg(field(3, 80), field(4, msg(field(1, 1), field(3, str('http')))));
  const svc = envelope('v1', 'Service', msg(field(1, msg(field(1, str('s')))), field(2, msg(field(1, port)))));
  assert.deepEqual((decodeKubernetesProtobuf(svc).spec as { ports: unknown[] }).ports, [{ port: 80, targetPort: 'http' }]);
  const container = msg(field(1, str('c')), field(2, str('img')), field(8, msg(field(1, msg(field(1, str('memory')), field(2, msg(field(1, str('64Mi')))))))));
  const d = envelope('apps/v1', 'Deployment', msg(field(1, msg(field(1, str('d')))), field(2, msg(field(1, 0), field(3, msg(field(2, msg(field(2, container)))))))));
  const spec = decodeKubernetesProtobuf(d).spec as { replicas: number; template: { spec: { containers: Array<{ resources: unknown }> } } };
  assert.equal(spec.replicas, 0, 'replicas is a pointer in Go: an explicit 0 is kept');
  assert.deepEqual(spec.template.spec.containers[0]?.resources, { limits: { memory: '64Mi' } });
  const secret = envelope('v1', 'Secret', msg(field(1, msg(field(1, str('s')))), field(2, msg(field(1, str('p')), field(2, Buffer.from([0, 255]))))));
  assert.deepEqual(decodeKubernetesProtobuf(secret).data, { p: 'AP8=' });
});

test('garbage, truncation, unknown kinds and unknown non-empty fields are refused with a Status, never a crash', () => {
  const code = (b: Buffer) => {
    try {
      decodeKubernetesProtobuf(b);
      return 0;
    } catch (e) {
      return (e as ApiError).code;
    }
  };
  assert.equal(code(Buffer.from('hello')), 400);
  assert.equal(code(Buffer.from([0x6b, 0x38, 0x73, 0, 0x0a, 0x50, 1])), 400);
  assert.equal(code(envelope('batch/v1', 'Job', Buffer.alloc(0))), 415);
  assert.equal(code(envelope('v1', 'ConfigMap', msg(field(1, msg(field(1, str('x')))), field(42, str('surprise'))))), 415);
});
