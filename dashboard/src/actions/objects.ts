// Writing objects: every change is sent first with ?dryRun=All (the server runs defaulting, validation and
// admission and stores nothing), and only when every object passes is it sent for real. Create-or-replace for the
// YAML editor, replace (with the resourceVersion read, so a concurrent change is a conflict, not lost) for edits.
import { type ApiClient, ApiError } from '../api/client.js';
import { type ResourceType, collectionPath, objectPath, typeOfKind } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';

export interface WriteResult {
  obj: KubeObject;
  type?: ResourceType;
  action: 'created' | 'configured' | 'unchanged';
  error?: string;
}

function typeOf(types: ResourceType[], o: KubeObject): ResourceType {
  const t = typeOfKind(types, o.apiVersion, o.kind);
  if (!t) throw new Error(`the server has no kind "${o.kind ?? ''}" in version "${o.apiVersion ?? ''}"`);
  return t;
}

async function writeOne(api: ApiClient, t: ResourceType, o: KubeObject, defaultNs: string, dryRun: boolean): Promise<WriteResult['action']> {
  const ns = t.namespaced ? (o.metadata?.namespace || defaultNs) : undefined;
  const obj: KubeObject = { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}) } };
  const query = { dryRun: dryRun ? 'All' : undefined, fieldManager: 'flotilla-dashboard' };
  try {
    await api.json('POST', collectionPath(t, ns), { body: obj, query });
    return 'created';
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 409 || !obj.metadata?.name) throw e;
  }
  // it exists: replace it, on top of the version read now
  const cur = await api.get(objectPath(t, ns, obj.metadata.name));
  const next = { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } };
  const out = await api.json('PUT', objectPath(t, ns, obj.metadata.name), { body: next, query });
  return out.metadata?.resourceVersion === cur.metadata.resourceVersion ? 'unchanged' : 'configured';
}

/**
 * Creates (or replaces) the objects, all dry-run first. On any dry-run failure nothing is written and every
 * object's result says what the server said.
 */
export async function applyObjects(api: ApiClient, types: ResourceType[], objs: KubeObject[], defaultNs: string,
  o: { dryRunOnly?: boolean } = {}): Promise<{ ok: boolean; results: WriteResult[] }> {
  const results: WriteResult[] = objs.map((obj) => ({ obj, action: 'created' }));
  for (const r of results) {
    try {
      r.type = typeOf(types, r.obj);
      r.action = await writeOne(api, r.type, r.obj, defaultNs, true);
    } catch (e) {
      r.error = (e as Error).message;
    }
  }
  if (results.some((r) => r.error) || o.dryRunOnly) return { ok: !results.some((r) => r.error), results };
  for (const r of results) {
    try {
      r.action = await writeOne(api, r.type as ResourceType, r.obj, defaultNs, false);
    } catch (e) {
      r.error = (e as Error).message;
    }
  }
  return { ok: !results.some((r) => r.error), results };
}

/** Replaces an edited object: dry run, then the real update. The resourceVersion in obj guards against lost updates. */
export async function replaceObject(api: ApiClient, t: ResourceType, obj: KubeObject): Promise<KubeObject> {
  const path = objectPath(t, obj.metadata.namespace, obj.metadata.name);
  await api.json('PUT', path, { body: obj, query: { dryRun: 'All', fieldManager: 'flotilla-dashboard' } });
  return api.json('PUT', path, { body: obj, query: { fieldManager: 'flotilla-dashboard' } });
}

export async function deleteObject(api: ApiClient, t: ResourceType, ns: string | undefined, name: string): Promise<void> {
  await api.json('DELETE', objectPath(t, ns, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

export async function patchObject(api: ApiClient, t: ResourceType, ns: string | undefined, name: string, patch: unknown, contentType = MERGE_PATCH,
  subresource?: string): Promise<KubeObject> {
  return api.json('PATCH', objectPath(t, ns, name, subresource), { body: patch, contentType, query: { fieldManager: 'flotilla-dashboard' } });
}

/** An object as the editor shows it: what the server manages on its own (managedFields) left out. */
export function editable(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  delete copy.metadata.managedFields;
  return copy;
}
