// The `paths` of a group/version's OpenAPI v3 document: for every resource the list, create, read, replace, patch,
// delete and watch operations (plus its subresources), each tagged with `x-kubernetes-action` and
// `x-kubernetes-group-version-kind` as kubectl expects to find them.
import type { KindInfo } from '../../lib/api/kinds.js';
import {
  DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA, REF_PREFIX, STATUS_SCHEMA, WATCH_EVENT_SCHEMA, listSchemaNameFor, type GroupVersionKind,
} from '../../lib/api/schema/index.js';
import type { KindDefinition, SubresourceDefinition } from '../registry/kind.js';
import {
  deleteParams, listParams, pathName, pathNamespace, patchParams, pretty, writeParams, type Parameter,
} from './params.js';

export interface Operation {
  description: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
  tags: string[];
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind;
}

export interface PathItem {
  get?: Operation;
  put?: Operation;
  post?: Operation;
  delete?: Operation;
  patch?: Operation;
  parameters?: Parameter[];
}

const RESPONSE_TYPES = ['application/json', 'application/yaml'];
const WATCH_TYPES = ['application/json', 'application/json;stream=watch', 'application/yaml'];
/** Patch types Flotilla accepts; the strategic merge type is what tells kubectl apply it may send one. */
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const content = (schema: string, types: string[]): Record<string, { schema: { $ref: string } }> =>
  Object.fromEntries(types.map((t) => [t, { schema: { $ref: REF_PREFIX + schema } }]));

function responses(schema: string, codes: Array<[string, string]>, types = RESPONSE_TYPES): Operation['responses'] {
  const out: Operation['responses'] = {};
  for (const [code, description] of codes) out[code] = { content: content(schema, types), description };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

const OK: Array<[string, string]> = [['200', 'OK']];
const WRITTEN: Array<[string, string]> = [['200', 'OK'], ['201', 'Created']];
const CREATED: Array<[string, string]> = [['200', 'OK'], ['201', 'Created'], ['202', 'Accepted']];
const DELETED: Array<[string, string]> = [['200', 'OK'], ['202', 'Accepted']];

/** `Core`, `Apps`, `Coordination`: the group as it appears in operation IDs and tags. */
function groupWord(group: string): string {
  const g = group === '' ? 'core' : group.split('.')[0];
  return g.charAt(0).toUpperCase() + g.slice(1);
}

export function groupPrefix(k: Pick<KindInfo, 'group' | 'version'>): string {
  return k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
}

export function tagOf(k: Pick<KindInfo, 'group' | 'version'>): string {
  return `${groupWord(k.group).toLowerCase()}_${k.version}`;
}

const gvkOf = (k: KindInfo): GroupVersionKind => ({ group: k.group, kind: k.kind, version: k.version });

interface OpSpec {
  verb: string;
  action: string;
  description: string;
  suffix?: string;
  /** Word between the group/version and the kind, e.g. `Collection`. */
  infix?: string;
  allNamespaces?: boolean;
  params?: Parameter[];
  body?: { schema: string; types: string[] };
  responses: Operation['responses'];
  gvk?: GroupVersionKind;
}

function operation(k: KindInfo, o: OpSpec): Operation {
  const scope = k.namespaced && !o.allNamespaces ? 'Namespaced' : '';
  const id = `${o.verb}${groupWord(k.group)}${k.version.charAt(0).toUpperCase()}${k.version.slice(1)}${o.infix ?? ''}${scope}${k.kind}${o.suffix ?? ''}`;
  const op: Operation = { description: o.description, operationId: id, responses: o.responses, tags: [tagOf(k)], 'x-kubernetes-action': o.action };
  if (o.params?.length) op.parameters = o.params;
  if (o.body) op.requestBody = { content: content(o.body.schema, o.body.types), required: true };
  op['x-kubernetes-group-version-kind'] = o.gvk ?? gvkOf(k);
  // Keep the key order Kubernetes uses (parameters and requestBody before responses).
  const { description, operationId, parameters, requestBody, ...rest } = op;
  return { description, operationId, ...(parameters ? { parameters } : {}), ...(requestBody ? { requestBody } : {}), ...rest };
}

/** Path items for one kind, keyed by path. */
export function pathsForKind(def: KindDefinition): Record<string, PathItem> {
  const k = def.info;
  const prefix = groupPrefix(k);
  const schema = def.schema;
  const list = def.ownSchema?.listSchema ?? listSchemaNameFor(k);
  const ns = k.namespaced ? `/namespaces/{namespace}` : '';
  const collection = `${prefix}${ns}/${k.resource}`;
  const item = `${collection}/{name}`;
  const scopeParams = k.namespaced ? [pathNamespace] : [];
  const paths: Record<string, PathItem> = {};

  if (def.createOnly) {
    // a kind that is only ever created (an access review): one POST, as Kubernetes documents it
    paths[collection] = {
      parameters: [...scopeParams, pretty],
      post: operation(k, { verb: 'create', action: 'post', description: `create a ${k.kind}`, params: writeParams, body: { schema, types: ['*/*'] }, responses: responses(schema, CREATED) }),
    };
    return paths;
  }

  paths[collection] = {
    delete: operation(k, { verb: 'delete', infix: 'Collection', action: 'deletecollection', description: `delete collection of ${k.kind}`, params: [...listParams.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'), ...deleteParams], body: { schema: DELETE_OPTIONS_SCHEMA, types: ['*/*'] }, responses: responses(STATUS_SCHEMA, OK) }),
    get: operation(k, { verb: 'list', action: 'list', description: `list or watch objects of kind ${k.kind}`, params: listParams, responses: responses(list, OK, WATCH_TYPES) }),
    parameters: [...scopeParams, pretty],
    post: operation(k, { verb: 'create', action: 'post', description: `create a ${k.kind}`, params: writeParams, body: { schema, types: ['*/*'] }, responses: responses(schema, CREATED) }),
  };

  paths[item] = {
    delete: operation(k, { verb: 'delete', action: 'delete', description: `delete a ${k.kind}`, params: deleteParams, body: { schema: DELETE_OPTIONS_SCHEMA, types: ['*/*'] }, responses: responses(STATUS_SCHEMA, DELETED) }),
    get: operation(k, { verb: 'read', action: 'get', description: `read the specified ${k.kind}`, responses: responses(schema, OK) }),
    parameters: [pathName(k.kind), ...scopeParams, pretty],
    patch: operation(k, { verb: 'patch', action: 'patch', description: `partially update the specified ${k.kind}`, params: patchParams, body: { schema: PATCH_SCHEMA, types: PATCH_TYPES }, responses: responses(schema, WRITTEN) }),
    put: operation(k, { verb: 'replace', action: 'put', description: `replace the specified ${k.kind}`, params: writeParams, body: { schema, types: ['*/*'] }, responses: responses(schema, WRITTEN) }),
  };

  if (k.namespaced) {
    paths[`${prefix}/${k.resource}`] = {
      get: operation(k, { verb: 'list', suffix: 'ForAllNamespaces', allNamespaces: true, action: 'list', description: `list or watch objects of kind ${k.kind}`, responses: responses(list, OK, WATCH_TYPES) }),
      parameters: [...listParams, pretty],
    };
    paths[`${prefix}/watch/${k.resource}`] = {
      get: operation(k, { verb: 'watch', suffix: 'ListForAllNamespaces', allNamespaces: true, action: 'watchlist', description: `watch individual changes to a list of ${k.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, responses: responses(WATCH_EVENT_SCHEMA, OK, WATCH_TYPES) }),
      parameters: [...listParams, pretty],
    };
  }
  paths[`${prefix}/watch${ns}/${k.resource}`] = {
    get: operation(k, { verb: 'watch', suffix: 'List', action: 'watchlist', description: `watch individual changes to a list of ${k.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, responses: responses(WATCH_EVENT_SCHEMA, OK, WATCH_TYPES) }),
    parameters: [...scopeParams, ...listParams, pretty],
  };
  paths[`${prefix}/watch${ns}/${k.resource}/{name}`] = {
    get: operation(k, { verb: 'watch', action: 'watch', description: `watch changes to an object of kind ${k.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, responses: responses(WATCH_EVENT_SCHEMA, OK, WATCH_TYPES) }),
    parameters: [pathName(k.kind), ...scopeParams, ...listParams, pretty],
  };

  for (const [name, sub] of Object.entries(def.subresources)) Object.assign(paths, subresourcePaths(def, item, name, sub));
  return paths;
}

/**
 * The path of a documented subresource, its operations named after its verbs: get reads, update replaces (PUT),
 * patch partially updates, create posts (`readAppsV1NamespacedDeploymentScale`, `createCoreV1NamespacedPodBinding`).
 */
function subresourcePaths(def: KindDefinition, item: string, name: string, sub: SubresourceDefinition): Record<string, PathItem> {
  if (sub.documented === false) return {};
  const k = def.info;
  const scopeParams = k.namespaced ? [pathNamespace] : [];
  const schema = sub.schema ?? def.schema;
  const gvk = sub.kind ? { group: sub.kind.group, kind: sub.kind.kind, version: sub.kind.version } : undefined;
  const suffix = name.charAt(0).toUpperCase() + name.slice(1);
  const has = (verb: string): boolean => sub.verbs.includes(verb);
  const item_: PathItem = {};
  if (has('get')) item_.get = operation(k, { verb: 'read', suffix, action: 'get', description: `read ${name} of the specified ${k.kind}`, responses: responses(schema, OK), gvk });
  // a subresource that is created names its own kind as the path's object (`name of the Binding`)
  item_.parameters = [pathName(has('create') && sub.kind ? sub.kind.kind : k.kind), ...scopeParams, pretty];
  if (has('patch')) {
    item_.patch = operation(k, { verb: 'patch', suffix, action: 'patch', description: `partially update ${name} of the specified ${k.kind}`, params: patchParams,
      body: { schema: PATCH_SCHEMA, types: PATCH_TYPES }, responses: responses(schema, WRITTEN), gvk });
  }
  if (has('create')) {
    item_.post = operation(k, { verb: 'create', suffix, action: 'post', description: `create ${name} of a ${k.kind}`, params: writeParams,
      body: { schema, types: ['*/*'] }, responses: responses(schema, CREATED), gvk });
  }
  if (has('update')) {
    item_.put = operation(k, { verb: 'replace', suffix, action: 'put', description: `replace ${name} of the specified ${k.kind}`, params: writeParams,
      body: { schema, types: ['*/*'] }, responses: responses(schema, WRITTEN), gvk });
  }
  return { [`${item}/${name}`]: item_ };
}

/** Schemas the operations of these path items refer to directly. */
export function referencedSchemas(paths: Record<string, PathItem>): string[] {
  const names = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [key, value] of Object.entries(v)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) names.add(value.slice(REF_PREFIX.length));
        else visit(value);
      }
    }
  };
  visit(paths);
  return [...names];
}
