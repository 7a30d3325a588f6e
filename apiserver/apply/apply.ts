// Server-side apply of one configuration by one field manager: the configuration's fields become the manager's Apply
// entry; where another manager owns a field the apply would change, the apply is refused with 409 (unless forced,
// when the field changes hands); fields the manager applied before and no longer applies are removed unless another
// manager still owns them. The result goes on through the store like any write (defaults, validation, admission).
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { KindDefinition } from '../registry/kind.js';
import { FieldSet } from './fieldset.js';
import { conflictError, type Conflict } from './conflicts.js';
import { kindType } from './kind-type.js';
import { decodeManaged, encodeManaged, identity, nowTime, scopeToStatus, stripUntracked, type Managed } from './managed-fields.js';
import { withoutManaged } from './track.js';
import { ApplyInputError, collect, diff, merge, prune } from './walk.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const BEFORE_FIRST_APPLY = 'before-first-apply';
/** Kubernetes drops the annotation rather than store one this large. */
const LAST_APPLIED_LIMIT = 256 * 1024;

export interface ApplyRequest {
  def: Pick<KindDefinition, 'schema' | 'ownSchema' | 'info' | 'subresources'>;
  manager: string;
  /** The API version of the request (what the Apply entry records). */
  apiVersion: string;
  /** `status` for an apply to the status subresource. */
  subresource?: string;
  force: boolean;
  /** The applied configuration, as decoded from the request's YAML or JSON. */
  config: KubeObject;
}

/** Checks the configuration itself, before any object is read (a bad one changes nothing). */
export function checkConfig(config: unknown): asserts config is KubeObject {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw errors.badRequest('the applied configuration must be a YAML or JSON object');
  const c = config as Record<string, unknown>;
  const text = (): string => JSON.stringify(config).slice(0, 200);
  if (typeof c.apiVersion !== 'string' || !c.apiVersion) throw errors.badRequest(`Object 'apiVersion' is missing in '${text()}'`);
  if (typeof c.kind !== 'string' || !c.kind) throw errors.badRequest(`Object 'Kind' is missing in '${text()}'`);
  const meta = c.metadata;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) throw errors.badRequest('metadata must be an object');
  if (meta && (meta as Record<string, unknown>).managedFields != null) throw errors.badRequest('metadata.managedFields must be nil');
}

/**
 * The object an apply stores, from the live one (undefined: the apply creates it), with its managedFields set.
 * Throws the 409 conflict, or 400 for a configuration apply cannot read (an item without its merge keys).
 */
export function applyConfig(live: KubeObject | undefined, req: ApplyRequest): KubeObject {
  const t = kindType(req.def);
  const config = req.config;
  const status = req.subresource === 'status' ? 'only' : req.def.subresources.status ? 'without' : undefined;
  let applied = new FieldSet();
  let merged: KubeObject;
  const base: KubeObject = live ? withoutManaged(live) : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  try {
    collect(config, t, applied, true);
    merged = merge(base, config, t) as KubeObject;
  } catch (e) {
    if (e instanceof ApplyInputError) throw errors.badRequest(`failed to create typed patch object (${req.def.info.kind}): ${e.message}`);
    throw e;
  }
  stripUntracked(applied);
  if (status) applied = scopeToStatus(applied, status);

  let managed: Managed[];
  try {
    managed = decodeManaged(live?.metadata.managedFields);
  } catch {
    managed = [];
  }
  if (live && !managed.length) {
    // an object nobody's writes were recorded for: its fields are all "before-first-apply"'s, as Kubernetes has it,
    // so a first apply that changes them conflicts rather than silently taking them
    let before = new FieldSet();
    collect(base, t, before);
    stripUntracked(before);
    if (status) before = scopeToStatus(before, status);
    managed.push({ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: req.apiVersion, time: nowTime(), set: before });
  }
  const ch = new FieldSet();
  diff(base, merged, t, ch, new FieldSet());
  stripUntracked(ch);

  const id = identity({ manager: req.manager, operation: 'Apply', apiVersion: req.apiVersion, subresource: req.subresource });
  const mine = managed.find((m) => identity(m) === id);
  const conflicts: Conflict[] = [];
  for (const m of managed) {
    if (m === mine) continue;
    const c = m.set.intersection(ch);
    if (!c.isEmpty()) conflicts.push({ manager: m, fields: c });
  }
  if (conflicts.length && !req.force) throw conflictError(conflicts);
  for (const c of conflicts) c.manager.set.subtract(c.fields);

  let pruned = false;
  if (mine) {
    const dropped = mine.set.difference(applied);
    if (!dropped.isEmpty()) {
      // what the manager still applies below a dropped path keeps it too (a map it owned as a whole, still applied in part)
      const keep = applied.clone();
      for (const m of managed) if (m !== mine) keep.merge(m.set);
      pruned = prune(merged, t, dropped, keep);
    }
  }
  const objectChanged = !ch.isEmpty() || pruned;
  if (mine) {
    if (objectChanged || !mine.set.equals(applied)) mine.time = nowTime();
    mine.set = applied;
    mine.apiVersion = req.apiVersion;
  } else {
    const entry: Managed = { manager: req.manager, operation: 'Apply', apiVersion: req.apiVersion, time: nowTime(), set: applied };
    if (req.subresource) entry.subresource = req.subresource;
    managed.push(entry);
  }
  merged.metadata ??= {};
  const out = encodeManaged(managed);
  if (out.length) merged.metadata.managedFields = out;
  else delete merged.metadata.managedFields;
  if (req.manager === 'kubectl') syncLastApplied(merged, config);
  return merged;
}

/**
 * kubectl's server-side apply keeps a client-side apply's annotation current, so a later client-side apply starts
 * from what was last applied (and neither resurrects nor keeps what server-side apply removed). Only when the object
 * already has the annotation, and only for the manager `kubectl`, as Kubernetes does.
 */
function syncLastApplied(obj: KubeObject, config: KubeObject): void {
  const ann = obj.metadata.annotations;
  if (!ann || !Object.hasOwn(ann, LAST_APPLIED)) return;
  const copy = JSON.parse(JSON.stringify(config)) as KubeObject;
  if (copy.metadata?.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED];
    if (!Object.keys(copy.metadata.annotations).length) delete copy.metadata.annotations;
  }
  const value = JSON.stringify(copy) + '\n';
  const annotations = { ...ann };
  if (value.length > LAST_APPLIED_LIMIT) delete annotations[LAST_APPLIED];
  else annotations[LAST_APPLIED] = value;
  obj.metadata.annotations = annotations;
}
