// Checks on pod volumes: names, exactly one source each, and the fields of each source.
import { minTokenExpirationSeconds, tooShortMessage } from '../auth/serviceaccount/limits.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';
import {
  asStr, child, duplicate, forbidden, index, invalid, invalidEach, isObj, isSet, notSupported, objects, optNum,
  required, type FieldCause, type Obj,
} from './field.js';
import { validateFieldSelector, validateLocalDescendingPath, validateResourceFieldSelector } from './container.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { parseQuantity } from '../../lib/api/quantity.js';

const FILE_MODE = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

/** Source fields of a Volume, in the order Kubernetes checks them. */
const SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];

function mode(v: unknown, field: string): FieldCause[] {
  const m = optNum(v);
  return m !== undefined && (m < 0 || m > 0o777) ? [invalid(field, m, FILE_MODE)] : [];
}

function localNonReservedPath(p: string, field: string): FieldCause[] {
  const out = validateLocalDescendingPath(p, field);
  if (p.startsWith('..') && !p.startsWith('../')) out.push(invalid(field, p, "must not start with '..'"));
  return out;
}

function keyToPaths(items: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [kp, i] of objects(items)) {
    const p = index(path, i);
    if (!asStr(kp.key)) out.push(required(child(p, 'key')));
    const rel = asStr(kp.path);
    if (!rel) out.push(required(child(p, 'path')));
    else out.push(...localNonReservedPath(rel, child(p, 'path')));
    out.push(...mode(kp.mode, child(p, 'mode')));
  }
  return out;
}

function downwardItems(items: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [f, i] of objects(items)) {
    const p = index(path, i);
    const rel = asStr(f.path);
    if (!rel) out.push(required(child(p, 'path')));
    else out.push(...localNonReservedPath(rel, child(p, 'path')));
    out.push(...mode(f.mode, child(p, 'mode')));
    if (isObj(f.fieldRef)) {
      out.push(...validateFieldSelector(f.fieldRef, VOLUME_FIELD_PATHS, child(p, 'fieldRef')));
      if (isObj(f.resourceFieldRef)) out.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (isObj(f.resourceFieldRef)) {
      out.push(...validateResourceFieldSelector(f.resourceFieldRef, child(p, 'resourceFieldRef'), true));
    } else {
      out.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    }
  }
  return out;
}

function projected(src: Obj, path: string): FieldCause[] {
  const out = mode(src.defaultMode, child(path, 'defaultMode'));
  for (const [s, i] of objects(src.sources)) {
    const p = index(child(path, 'sources'), i);
    let n = 0;
    if (isObj(s.secret)) {
      n++;
      if (!asStr(s.secret.name)) out.push(required(child(child(p, 'secret'), 'name')));
      out.push(...keyToPaths(s.secret.items, child(child(p, 'secret'), 'items')));
    }
    if (isObj(s.configMap)) {
      n++;
      if (!asStr(s.configMap.name)) out.push(required(child(child(p, 'configMap'), 'name')));
      out.push(...keyToPaths(s.configMap.items, child(child(p, 'configMap'), 'items')));
    }
    if (isObj(s.downwardAPI)) {
      n++;
      out.push(...downwardItems(s.downwardAPI.items, child(child(p, 'downwardAPI'), 'items')));
    }
    if (isObj(s.serviceAccountToken)) {
      n++;
      const t = s.serviceAccountToken;
      const tp = child(p, 'serviceAccountToken');
      const exp = optNum(t.expirationSeconds);
      if (exp !== undefined && exp < minTokenExpirationSeconds()) out.push(invalid(child(tp, 'expirationSeconds'), exp, tooShortMessage()));
      if (exp !== undefined && exp > 2 ** 32) out.push(invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!asStr(t.path)) out.push(required(child(tp, 'path')));
      else out.push(...localNonReservedPath(asStr(t.path), child(tp, 'path')));
    }
    if (isObj(s.clusterTrustBundle)) {
      n++;
      if (!asStr(s.clusterTrustBundle.path)) out.push(required(child(child(p, 'clusterTrustBundle'), 'path')));
    }
    if (n > 1) out.push(forbidden(p, 'may not specify more than 1 volume type per source'));
  }
  return out;
}

/** Legacy sources: only their required fields are checked, following the schema. */
function requiredBySchema(src: Obj, sourceField: string, path: string): FieldCause[] {
  const volume = components()[schemaNameFor({ group: '', version: 'v1', kind: 'Volume' })];
  const ref = volume.properties?.[sourceField]?.$ref;
  const schema = ref ? components()[ref.slice(ref.lastIndexOf('/') + 1)] : undefined;
  return (schema?.required ?? []).filter((f) => {
    const v = src[f];
    return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  }).map((f) => required(child(path, f)));
}

function validateSource(vol: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  let n = 0;
  for (const f of SOURCES) {
    const src = vol[f];
    if (!isObj(src)) continue;
    const p = child(path, f);
    if (n > 0) {
      out.push(forbidden(p, 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    switch (f) {
      case 'emptyDir': {
        const size = parseQuantity(src.sizeLimit);
        if (size !== undefined && size < 0) out.push(forbidden(child(p, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
        break;
      }
      case 'hostPath': {
        const hp = asStr(src.path);
        if (!hp) {
          out.push(required(child(p, 'path')));
          break;
        }
        if (hp.split('/').includes('..')) out.push(invalid(child(p, 'path'), hp, "must not contain '..'"));
        if (typeof src.type === 'string' && !HOST_PATH_TYPES.includes(src.type)) out.push(notSupported(child(p, 'type'), src.type, HOST_PATH_TYPES));
        break;
      }
      case 'secret':
        if (!asStr(src.secretName)) out.push(required(child(p, 'secretName')));
        out.push(...mode(src.defaultMode, child(p, 'defaultMode')), ...keyToPaths(src.items, child(p, 'items')));
        break;
      case 'configMap':
        if (!asStr(src.name)) out.push(required(child(p, 'name')));
        out.push(...mode(src.defaultMode, child(p, 'defaultMode')), ...keyToPaths(src.items, child(p, 'items')));
        break;
      case 'persistentVolumeClaim':
        if (!asStr(src.claimName)) out.push(required(child(p, 'claimName')));
        break;
      case 'downwardAPI':
        out.push(...mode(src.defaultMode, child(p, 'defaultMode')), ...downwardItems(src.items, child(p, 'items')));
        break;
      case 'projected':
        out.push(...projected(src, p));
        break;
      case 'nfs':
        if (!asStr(src.server)) out.push(required(child(p, 'server')));
        if (!asStr(src.path)) out.push(required(child(p, 'path')));
        else if (!asStr(src.path).startsWith('/')) out.push(invalid(child(p, 'path'), asStr(src.path), 'must be an absolute path'));
        break;
      case 'csi':
        if (!asStr(src.driver)) out.push(required(child(p, 'driver')));
        else out.push(...invalidEach(child(p, 'driver'), asStr(src.driver), isDNS1123Subdomain(asStr(src.driver).toLowerCase())));
        break;
      case 'ephemeral':
        if (!isObj(src.volumeClaimTemplate)) out.push(required(child(p, 'volumeClaimTemplate')));
        else if (!isObj(src.volumeClaimTemplate.spec)) out.push(required(child(child(p, 'volumeClaimTemplate'), 'spec')));
        break;
      case 'image':
        if (!asStr(src.reference)) out.push(required(child(p, 'reference')));
        break;
      case 'gitRepo':
        out.push(...requiredBySchema(src, f, p));
        if (asStr(src.directory)) out.push(...validateLocalDescendingPath(asStr(src.directory), child(p, 'directory')));
        break;
      default:
        out.push(...requiredBySchema(src, f, p));
    }
  }
  if (n === 0) out.push(required(path, 'must specify a volume type'));
  return out;
}

/** Validates the volumes and returns those that are valid, by name, for the mounts to refer to. */
export function validateVolumes(volumes: unknown, path: string): { volumes: Map<string, Obj>; causes: FieldCause[] } {
  const out: FieldCause[] = [];
  const valid = new Map<string, Obj>();
  const names = new Set<string>();
  for (const [v, i] of objects(volumes)) {
    const p = index(path, i);
    const errs = validateSource(v, p);
    const name = asStr(v.name);
    if (!name) errs.push(required(child(p, 'name')));
    else errs.push(...invalidEach(child(p, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    if (errs.length) out.push(...errs);
    else {
      names.add(name);
      valid.set(name, v);
    }
  }
  return { volumes: valid, causes: out };
}

export const volumeSourceFields = SOURCES;
export const hasVolumeSource = (v: Obj): boolean => SOURCES.some((f) => isSet(v[f]));
