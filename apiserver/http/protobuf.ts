// Kubernetes' protobuf request bodies, for what the real kubectl sends that way: its `create` generators
// (configmap, secret, namespace, service, deployment) post protobuf through typed clients. The body is the magic
// "k8s\0" and a runtime.Unknown envelope around the object. Field numbers follow k8s.io/api's generated.proto.
// A field this decoder doesn't know is refused (415), never silently dropped.
import { errors } from '../errors.js';

type Kind = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'intstr' | 'quantity';
/** [json name, type or message name, repeated?, keep zero values? (pointer fields in Go)] */
type Field = [string, Kind | `msg:${string}` | `map:${Kind}`, boolean?, boolean?];
const M: Record<string, Record<number, Field>> = {
  Unknown: { 1: ['typeMeta', 'msg:TypeMeta'], 2: ['raw', 'bytes'], 3: ['contentEncoding', 'string'], 4: ['contentType', 'string'] },
  TypeMeta: { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] },
  ObjectMeta: {
    1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 4: ['selfLink', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'],
    7: ['generation', 'int'], 8: ['creationTimestamp', 'time'], 9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'int', false, true],
    11: ['labels', 'map:string'], 12: ['annotations', 'map:string'], 13: ['ownerReferences', 'msg:OwnerReference', true], 14: ['finalizers', 'string', true],
  },
  OwnerReference: { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool', false, true], 7: ['blockOwnerDeletion', 'bool', false, true] },
  LabelSelector: { 1: ['matchLabels', 'map:string'], 2: ['matchExpressions', 'msg:LabelSelectorRequirement', true] },
  LabelSelectorRequirement: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', true] },
  ConfigMap: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['data', 'map:string'], 3: ['binaryData', 'map:bytes'], 4: ['immutable', 'bool', false, true] },
  Secret: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['data', 'map:bytes'], 3: ['type', 'string'], 4: ['stringData', 'map:string'], 5: ['immutable', 'bool', false, true] },
  Namespace: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['spec', 'msg:NamespaceSpec'], 3: ['status', 'msg:NamespaceStatus'] },
  NamespaceSpec: { 1: ['finalizers', 'string', true] },
  NamespaceStatus: { 1: ['phase', 'string'] },
  Service: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['spec', 'msg:ServiceSpec'], 3: ['status', 'msg:Empty'] },
  ServiceSpec: {
    1: ['ports', 'msg:ServicePort', true], 2: ['selector', 'map:string'], 3: ['clusterIP', 'string'], 4: ['type', 'string'], 5: ['externalIPs', 'string', true],
    7: ['sessionAffinity', 'string'], 8: ['loadBalancerIP', 'string'], 10: ['externalName', 'string'], 11: ['externalTrafficPolicy', 'string'],
    13: ['publishNotReadyAddresses', 'bool'], 18: ['clusterIPs', 'string', true],
  },
  ServicePort: { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intstr'], 5: ['nodePort', 'int'], 6: ['appProtocol', 'string', false, true] },
  Deployment: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['spec', 'msg:DeploymentSpec'], 3: ['status', 'msg:Empty'] },
  DeploymentSpec: {
    1: ['replicas', 'int', false, true], 2: ['selector', 'msg:LabelSelector'], 3: ['template', 'msg:PodTemplateSpec'], 4: ['strategy', 'msg:DeploymentStrategy'],
    5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int', false, true], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int', false, true],
  },
  DeploymentStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'msg:RollingUpdateDeployment'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'intstr'], 2: ['maxSurge', 'intstr'] },
  PodTemplateSpec: { 1: ['metadata', 'msg:ObjectMeta'], 2: ['spec', 'msg:PodSpec'] },
  PodSpec: {
    2: ['containers', 'msg:Container', true], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int', false, true], 6: ['dnsPolicy', 'string'],
    7: ['nodeSelector', 'map:string'], 8: ['serviceAccountName', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'], 19: ['schedulerName', 'string'],
    20: ['initContainers', 'msg:Container', true],
  },
  Container: {
    1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'string', true], 4: ['args', 'string', true], 5: ['workingDir', 'string'], 6: ['ports', 'msg:ContainerPort', true],
    7: ['env', 'msg:EnvVar', true], 8: ['resources', 'msg:ResourceRequirements'], 13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'],
    16: ['stdin', 'bool'], 17: ['stdinOnce', 'bool'], 18: ['tty', 'bool'], 20: ['terminationMessagePolicy', 'string'],
  },
  ContainerPort: { 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] },
  EnvVar: { 1: ['name', 'string'], 2: ['value', 'string'] },
  ResourceRequirements: { 1: ['limits', 'map:quantity'], 2: ['requests', 'map:quantity'] },
  Empty: {},
};

const TOP: Record<string, string> = { 'v1/ConfigMap': 'ConfigMap', 'v1/Secret': 'Secret', 'v1/Namespace': 'Namespace', 'v1/Service': 'Service', 'apps/v1/Deployment': 'Deployment' };
const ZERO_TIME = -62135596800;

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
    throw new Error('varint too long');
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (n < 0 || this.pos + n > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

const int64 = (v: bigint) => Number(BigInt.asIntN(64, v));

function decodeMessage(name: string, buf: Buffer): Record<string, unknown> {
  const fields = M[name];
  if (!fields) throw new Error(`message ${name} is not known`);
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (r.pos < r.end) {
    const tag = r.varint();
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    const f = fields[num];
    if (!f) {
      // Go's encoder writes every non-pointer field, empty or not: an unknown field at its zero value carries
      // nothing and is skipped; anything else would be lost, so it is refused.
      const empty = wire === 0 ? r.varint() === 0n : wire === 2 ? r.bytes().length === 0 : (r.skip(wire), false);
      if (name === 'ObjectMeta' && num === 17) continue; // managedFields: the server keeps its own
      if (!empty) throw new Error(`field ${num} of ${name} is not supported by Flotilla's protobuf decoder`);
      continue;
    }
    const [json, type, repeated, keepZero] = f;
    const value = scalar(type, wire, r);
    if (repeated) ((out[json] ??= []) as unknown[]).push(value);
    else if (type.startsWith('map:')) Object.assign((out[json] ??= {}) as object, value);
    else if (value !== undefined && (keepZero || !isZero(value))) out[json] = value;
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function scalar(type: Field[1], wire: number, r: Reader): unknown {
  if (type.startsWith('msg:')) return decodeMessage(type.slice(4), r.bytes());
  if (type.startsWith('map:')) {
    const entry = new Reader(r.bytes());
    let key = '';
    let value: unknown = '';
    while (entry.pos < entry.end) {
      const tag = entry.varint();
      const n = Number(tag >> 3n);
      if (n === 1) key = entry.bytes().toString('utf8');
      else if (n === 2) value = scalar(type.slice(4) as Kind, Number(tag & 7n), entry);
      else entry.skip(Number(tag & 7n));
    }
    return { [key]: value };
  }
  switch (type as Kind) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'int':
      return int64(r.varint());
    case 'bool':
      return r.varint() !== 0n;
    case 'quantity':
      return (decodeMessage('Quantity', r.bytes()) as { string?: string }).string ?? '0';
    case 'time': {
      const t = decodeMessage('Time', r.bytes()) as { seconds?: number; nanos?: number };
      const s = t.seconds ?? 0;
      return s === ZERO_TIME || (s === 0 && !t.nanos) ? undefined : new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'intstr': {
      const v = decodeMessage('IntOrString', r.bytes()) as { type?: number; intVal?: number; strVal?: string };
      return v.type === 1 ? v.strVal ?? '' : v.intVal ?? 0;
    }
  }
  throw new Error(`unsupported field type ${type}`);
}
M.Quantity = { 1: ['string', 'string'] };
M.Time = { 1: ['seconds', 'int', false, true], 2: ['nanos', 'int'] };
M.IntOrString = { 1: ['type', 'int'], 2: ['intVal', 'int', false, true], 3: ['strVal', 'string'] };

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a Kubernetes protobuf body to the object the JSON API would have received; errors are 400 or 415. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('the protobuf body does not start with the Kubernetes magic prefix');
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: string };
  try {
    envelope = decodeMessage('Unknown', body.subarray(4)) as typeof envelope;
  } catch (e) {
    throw errors.badRequest(`malformed protobuf body: ${(e as Error).message}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const message = TOP[`${apiVersion}/${kind}`];
  if (!message) throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf for ${kind || 'an unknown kind'} ${apiVersion}; send JSON`);
  try {
    const obj = decodeMessage(message, Buffer.from(envelope.raw ?? '', 'base64'));
    return { apiVersion, kind, ...obj };
  } catch (e) {
    const msg = (e as Error).message;
    if (/not supported/.test(msg)) throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (${msg}); send JSON`);
    throw errors.badRequest(`malformed protobuf body: ${msg}`);
  }
}
