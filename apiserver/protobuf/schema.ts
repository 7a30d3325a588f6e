// Loads the .proto descriptions under proto/ into one protobufjs Root, once, and maps an apiVersion/kind to the
// message that carries it on the wire. The files are read from the source tree: from dist/apiserver/protobuf/ (the
// compiled code) the repository root is three levels up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { getOwn } from '../../lib/api/own.js';

export type ProtoType = protobuf.Type;
export type ProtoField = protobuf.Field;

const PROTO_FILES = [
  'runtime.proto', 'meta_v1.proto', 'resource.proto', 'intstr.proto', 'core_v1.proto', 'core_v1_container.proto',
  'core_v1_pod.proto', 'core_v1_volume.proto', 'apps_v1.proto', 'autoscaling_v1.proto', 'coordination_v1.proto',
];

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** `apiVersion/kind` → message name, for every object the decoder accepts. */
const KIND_MESSAGES: Readonly<Record<string, string>> = {
  'v1/Namespace': `${CORE}.Namespace`,
  'v1/Node': `${CORE}.Node`,
  'v1/Pod': `${CORE}.Pod`,
  'v1/Service': `${CORE}.Service`,
  'v1/Endpoints': `${CORE}.Endpoints`,
  'v1/ConfigMap': `${CORE}.ConfigMap`,
  'v1/Secret': `${CORE}.Secret`,
  'v1/Event': `${CORE}.Event`,
  'v1/Binding': `${CORE}.Binding`,
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'apps/v1/ReplicaSet': 'k8s.io.api.apps.v1.ReplicaSet',
  'coordination.k8s.io/v1/Lease': 'k8s.io.api.coordination.v1.Lease',
  'autoscaling/v1/Scale': 'k8s.io.api.autoscaling.v1.Scale',
};

/** DeleteOptions is registered in every group version (and in meta.k8s.io/v1), so any apiVersion carries it. */
const ANY_VERSION_MESSAGES: Readonly<Record<string, string>> = { DeleteOptions: `${META}.DeleteOptions` };

/** The apiVersion/kind pairs the decoder understands, e.g. `apps/v1 Deployment`, sorted. */
export function supportedKinds(): string[] {
  return [...Object.keys(KIND_MESSAGES).map((k) => k.replace(/\/(\w+)$/, ' $1')), 'DeleteOptions (any apiVersion)'].sort();
}

/** Name of the message carrying apiVersion/kind, or undefined when the decoder does not know it. */
export function messageNameFor(apiVersion: string, kind: string): string | undefined {
  return getOwn(KIND_MESSAGES, `${apiVersion}/${kind}`) ?? (apiVersion ? getOwn(ANY_VERSION_MESSAGES, kind) : undefined);
}

function protoDir(): string {
  const candidates = [
    new URL('./proto/', import.meta.url), // running from the source tree
    new URL('../../../apiserver/protobuf/proto/', import.meta.url), // running from dist/apiserver/protobuf/
  ];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}runtime.proto`)) return dir;
  }
  throw new Error(`Kubernetes protobuf descriptions not found (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

let root: protobuf.Root | undefined;

/** The Root holding every Kubernetes message Flotilla knows, loaded on first use and shared. */
export function protobufRoot(): protobuf.Root {
  if (!root) {
    const dir = protoDir();
    const r = new protobuf.Root();
    r.loadSync(PROTO_FILES.map((f) => dir + f), { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** The message type with the given fully qualified name (no leading dot). Throws when it is not described. */
export function messageType(fullName: string): protobuf.Type {
  return protobufRoot().lookupType(fullName);
}
