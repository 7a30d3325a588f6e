// The checks a CustomResourceDefinition gets on every write (Kubernetes' ValidateCustomResourceDefinition): its name
// is <plural>.<group>, names are lower-case DNS labels, scope is Namespaced or Cluster, the versions are unique DNS-1035
// labels with exactly one storage version and at least one served, each with a structural schema, valid printer
// columns and subresource paths; on update, scope may not change and every stored version must remain listed.
import { asArr, asObj, asStr, duplicate, invalid, invalidEach, notSupported, required, type FieldCause, type Obj } from '../validation/field.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { ObjectSchema, type SchemaNode } from './object-schema.js';
import { structuralCauses } from './structural.js';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

/** `.spec.replicas`, `.status.selector`: a simple JSON path of dot-separated names. */
const SIMPLE_PATH = /^(\.[A-Za-z0-9_-]+)+$/;

export function validateCRD(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const meta = asObj(obj.metadata) ?? {};
  const spec = asObj(obj.spec) ?? {};
  const group = asStr(spec.group);
  const names = asObj(spec.names) ?? {};
  const plural = asStr(names.plural);
  if (asStr(meta.name) && plural && group && asStr(meta.name) !== `${plural}.${group}`) {
    out.push(invalid('metadata.name', meta.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!group) out.push(required('spec.group'));
  else {
    out.push(...invalidEach('spec.group', group, isDNS1123Subdomain(group)));
    if (!group.includes('.')) out.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  out.push(...validateNames(names, 'spec.names'));
  const scope = asStr(spec.scope);
  if (!scope) out.push(required('spec.scope'));
  else if (scope !== 'Namespaced' && scope !== 'Cluster') out.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  if (spec.preserveUnknownFields === true) out.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  const strategy = asStr(asObj(spec.conversion)?.strategy) || 'None';
  if (strategy !== 'None') out.push(notSupported('spec.conversion.strategy', strategy, ['None']));
  out.push(...validateVersions(spec.versions));
  return out;
}

function validateNames(names: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const plural = asStr(names.plural);
  if (!plural) out.push(required(`${path}.plural`));
  else out.push(...invalidEach(`${path}.plural`, plural, isDNS1123Label(plural)));
  const singular = asStr(names.singular);
  if (singular) out.push(...invalidEach(`${path}.singular`, singular, isDNS1123Label(singular)));
  const kind = asStr(names.kind);
  if (!kind) out.push(required(`${path}.kind`));
  else out.push(...invalidEach(`${path}.kind`, kind, isDNS1035Label(kind.toLowerCase())));
  const listKind = asStr(names.listKind);
  if (listKind) {
    out.push(...invalidEach(`${path}.listKind`, listKind, isDNS1035Label(listKind.toLowerCase())));
    if (listKind === kind) out.push(invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  }
  asArr(names.shortNames).forEach((s, i) => out.push(...invalidEach(`${path}.shortNames[${i}]`, s, isDNS1123Label(String(s)))));
  asArr(names.categories).forEach((c, i) => out.push(...invalidEach(`${path}.categories[${i}]`, c, isDNS1123Label(String(c)))));
  return out;
}

function validateVersions(raw: unknown): FieldCause[] {
  const out: FieldCause[] = [];
  const versions = asArr(raw);
  if (!versions.length) {
    out.push(invalid('spec.versions', null, 'must have exactly one version marked as storage version'));
    return out;
  }
  const seen = new Set<string>();
  let storage = 0;
  let served = 0;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    const ver = asObj(v) ?? {};
    const name = asStr(ver.name);
    if (!name) out.push(required(`${p}.name`));
    else {
      out.push(...invalidEach(`${p}.name`, name, isDNS1035Label(name)));
      if (seen.has(name)) out.push(duplicate(`${p}.name`, name));
      seen.add(name);
    }
    if (ver.storage === true) storage++;
    if (ver.served === true) served++;
    const schema = asObj(ver.schema)?.openAPIV3Schema;
    const structural = structuralCauses(schema, `${p}.schema.openAPIV3Schema`);
    out.push(...structural);
    // what is structural must also be a schema objects can be checked with (`minimum: "x"` is neither a type error
    // Kubernetes' decoder lets through nor one the structural rules name)
    if (!structural.length) {
      try {
        new ObjectSchema(schema as SchemaNode);
      } catch (e) {
        out.push(invalid(`${p}.schema.openAPIV3Schema`, 'object', (e as Error).message.replace(/^schema is invalid: data/, 'the schema is invalid: ')));
      }
    }
    asArr(ver.additionalPrinterColumns).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      const col = asObj(c) ?? {};
      if (!asStr(col.name)) out.push(required(`${cp}.name`));
      if (!asStr(col.type)) out.push(required(`${cp}.type`));
      else if (!COLUMN_TYPES.includes(asStr(col.type))) out.push(notSupported(`${cp}.type`, col.type, COLUMN_TYPES));
      if (!asStr(col.jsonPath)) out.push(required(`${cp}.JSONPath`));
      else if (!/^\.[^\s]*$/.test(asStr(col.jsonPath))) out.push(invalid(`${cp}.JSONPath`, col.jsonPath, 'must be a simple json path starting with .'));
    });
    const scale = asObj(asObj(ver.subresources)?.scale);
    if (scale) {
      const sp = `${p}.subresources.scale`;
      const spec = asStr(scale.specReplicasPath);
      const status = asStr(scale.statusReplicasPath);
      if (!spec) out.push(required(`${sp}.specReplicasPath`));
      else if (!SIMPLE_PATH.test(spec) || !spec.startsWith('.spec.')) out.push(invalid(`${sp}.specReplicasPath`, spec, 'should be a json path under .spec'));
      if (!status) out.push(required(`${sp}.statusReplicasPath`));
      else if (!SIMPLE_PATH.test(status) || !status.startsWith('.status.')) out.push(invalid(`${sp}.statusReplicasPath`, status, 'should be a json path under .status'));
      const sel = scale.labelSelectorPath;
      if (sel !== undefined && sel !== null && (typeof sel !== 'string' || !SIMPLE_PATH.test(sel) || !/^\.(spec|status)\./.test(sel))) {
        out.push(invalid(`${sp}.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'));
      }
    }
  });
  if (storage !== 1) out.push(invalid('spec.versions', versionsValue(versions), 'must have exactly one version marked as storage version'));
  if (!served) out.push(invalid('spec.versions', versionsValue(versions), 'must have at least one version marked as served'));
  return out;
}

/** How the versions list shows in a message: their names, as a Go slice would print them briefly. */
const versionsValue = (versions: unknown[]): string => `[${versions.map((v) => asStr(asObj(v)?.name)).join(' ')}]`;

/** The checks only updates get: the scope is fixed, and no version objects were stored in may leave spec.versions. */
export function validateCRDUpdate(obj: Obj, old: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const scope = asObj(obj.spec)?.scope;
  const oldScope = asObj(old.spec)?.scope;
  if (scope !== oldScope) out.push(invalid('spec.scope', scope, 'field is immutable'));
  const listed = new Set(asArr(asObj(obj.spec)?.versions).map((v) => asStr(asObj(v)?.name)));
  asArr(asObj(old.status)?.storedVersions).forEach((sv, i) => {
    if (!listed.has(String(sv))) out.push(invalid(`status.storedVersions[${i}]`, sv, 'must appear in spec.versions'));
  });
  return out;
}
