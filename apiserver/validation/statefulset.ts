// Defaults and checks of apps/v1 StatefulSets, as Kubernetes' SetDefaults_StatefulSet and ValidateStatefulSet(Update).
import { defaultTemplate, ensureObject, setDefault } from './defaults.js';
import {
  asArr, asObj, asStr, child, forbidden, goRaw, index, invalid, isObj, isSet, notSupported, objects, optNum, required,
  type FieldCause, type Obj,
} from './field.js';
import { nonNegative } from './meta.js';
import { isDNS1123Label, isValidPercent } from './names.js';
import { validateClaimSpec } from './storage.js';
import { semanticEqual } from './update.js';
import { goIntOrString, validateSelectedTemplate } from './workloads.js';

const POLICIES = ['OrderedReady', 'Parallel'];
const STRATEGIES = ['OnDelete', 'RollingUpdate'];
const RETENTION = ['Delete', 'Retain'];

export function defaultStatefulSet(obj: Obj): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  setDefault(spec, 'revisionHistoryLimit', 10);
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy) {
    if (!strategy.type) strategy.type = 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru) setDefault(ru, 'partition', 0);
    }
  }
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
    if (!retention.whenScaled) retention.whenScaled = 'Retain';
  }
  for (const [pvc] of objects(spec.volumeClaimTemplates)) {
    const s = ensureObject(pvc, 'spec');
    if (s) setDefault(s, 'volumeMode', 'Filesystem');
    setDefault(pvc, 'status', { phase: 'Pending' });
  }
  defaultTemplate(spec);
}

function validateStrategy(strategy: unknown): FieldCause[] {
  const s = asObj(strategy) ?? {};
  const type = asStr(s.type);
  const path = 'spec.updateStrategy';
  if (!type) return [required(child(path, 'type'))];
  if (type === 'OnDelete') {
    return isSet(s.rollingUpdate) ? [invalid(child(path, 'rollingUpdate'), goRaw('apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'")] : [];
  }
  if (type !== 'RollingUpdate') return [notSupported(child(path, 'type'), type, STRATEGIES)];
  const ru = asObj(s.rollingUpdate);
  if (!ru) return [];
  const rp = child(path, 'rollingUpdate');
  const out = nonNegative(ru.partition, child(rp, 'partition'));
  const mu = ru.maxUnavailable;
  if (typeof mu === 'string') {
    const bad = isValidPercent(mu);
    if (bad.length) out.push(...bad.map((m) => invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(mu)), m)));
    else if (Number(mu.slice(0, -1)) === 0) out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(mu)), 'must be greater than 0'));
    else if (Number(mu.slice(0, -1)) > 100) out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(mu)), 'must not be greater than 100%'));
  } else if (typeof mu === 'number') {
    if (mu <= 0) out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(mu)), 'must be greater than 0'));
  }
  return out;
}

/** The template's pod spec with a volume for each claim template it doesn't name itself, as the pods will have. */
function templateWithClaims(spec: Obj): unknown {
  const tpl = asObj(spec.template);
  const podSpec = asObj(tpl?.spec);
  if (!tpl || !podSpec) return spec.template;
  const volumes = asArr(podSpec.volumes).filter(isObj);
  const names = new Set(volumes.map((v) => asStr(v.name)));
  const extra = objects(spec.volumeClaimTemplates).map(([c]) => asStr(asObj(c.metadata)?.name)).filter((n) => n && !names.has(n))
    .map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } }));
  return extra.length ? { ...tpl, spec: { ...podSpec, volumes: [...volumes, ...extra] } } : tpl;
}

export function validateStatefulSet(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = [
    ...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const policy = asStr(spec.podManagementPolicy);
  if (!policy) out.push(required('spec.podManagementPolicy', ''));
  else if (!POLICIES.includes(policy)) out.push(invalid('spec.podManagementPolicy', policy, `must be 'OrderedReady' or 'Parallel'`));
  out.push(...validateStrategy(spec.updateStrategy));
  const retention = asObj(spec.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = asStr(retention[f]);
      if (!RETENTION.includes(v)) out.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, RETENTION));
    }
  }
  const start = optNum(asObj(spec.ordinals)?.start);
  if (start !== undefined && start < 0) out.push(invalid('spec.ordinals.start', start, 'must be greater than or equal to 0'));
  if (spec.serviceName !== undefined && spec.serviceName !== '') {
    for (const m of isDNS1123Label(asStr(spec.serviceName))) out.push(invalid('spec.serviceName', spec.serviceName, m));
  }
  objects(spec.volumeClaimTemplates).forEach(([c, i]) => {
    const p = index('spec.volumeClaimTemplates', i);
    const name = asStr(asObj(c.metadata)?.name);
    if (!name) out.push(required(child(p, 'metadata.name'), 'name or generateName is required'));
    out.push(...validateClaimSpec(asObj(c.spec) ?? {}, child(p, 'spec')));
  });
  out.push(...validateSelectedTemplate(spec.selector, templateWithClaims(spec), 'StatefulSet', 'statefulset'));
  return out;
}

/** Fields of a StatefulSet's spec an update may change (the rest is fixed at creation). */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(obj: Obj, old: Obj): FieldCause[] {
  const strip = (s: unknown): Obj => {
    const copy = { ...(asObj(s) ?? {}) };
    for (const f of MUTABLE) delete copy[f];
    return copy;
  };
  if (semanticEqual(strip(obj.spec), strip(old.spec))) return [];
  return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
