// LimitRanges (core/v1): per-container (and per-pod) defaults and bounds of a namespace. The LimitRanger admission
// plugin (apiserver/admission/limit-ranger.ts) fills in default and defaultRequest and refuses what min, max and
// maxLimitRequestRatio don't allow.
import { parseQuantity, quantityError } from '../../../lib/api/quantity.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { NAME } from '../../printers/columns.js';
import { asArr, asObj, invalid, notSupported, required, type FieldCause, type Obj } from '../../validation/field.js';
import { defineKind, identity } from '../kind.js';

const TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];
const q = (v: unknown): number | undefined => (quantityError(v) ? undefined : parseQuantity(v));

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  asArr(asObj(obj.spec)?.limits).forEach((item, i) => {
    const it = asObj(item) ?? {};
    const path = `spec.limits[${i}]`;
    if (!it.type) out.push(required(`${path}.type`));
    else if (!TYPES.includes(String(it.type))) out.push(notSupported(`${path}.type`, it.type, TYPES));
    const min = asObj(it.min) ?? {};
    const max = asObj(it.max) ?? {};
    const def = asObj(it.default) ?? {};
    const defReq = asObj(it.defaultRequest) ?? {};
    if (it.type === 'Pod') {
      if (Object.keys(def).length) out.push(invalid(`${path}.default`, goMap(def), 'may not be specified when `type` is \'Pod\''));
      if (Object.keys(defReq).length) out.push(invalid(`${path}.defaultRequest`, goMap(defReq), 'may not be specified when `type` is \'Pod\''));
    }
    for (const r of new Set([...Object.keys(min), ...Object.keys(max), ...Object.keys(def), ...Object.keys(defReq)])) {
      const [mn, mx, d, dr] = [q(min[r]), q(max[r]), q(def[r]), q(defReq[r])];
      if (mn !== undefined && mx !== undefined && mn > mx) out.push(invalid(`${path}.min[${r}]`, String(min[r]), `min value ${String(min[r])} is greater than max value ${String(max[r])}`));
      if (dr !== undefined && mx !== undefined && dr > mx) out.push(invalid(`${path}.defaultRequest[${r}]`, String(defReq[r]), `default request value ${String(defReq[r])} is greater than max value ${String(max[r])}`));
      if (dr !== undefined && mn !== undefined && dr < mn) out.push(invalid(`${path}.defaultRequest[${r}]`, String(defReq[r]), `min value ${String(min[r])} is greater than default request value ${String(defReq[r])}`));
      if (d !== undefined && mx !== undefined && d > mx) out.push(invalid(`${path}.default[${r}]`, String(def[r]), `default value ${String(def[r])} is greater than max value ${String(max[r])}`));
      if (d !== undefined && mn !== undefined && d < mn) out.push(invalid(`${path}.default[${r}]`, String(def[r]), `min value ${String(min[r])} is greater than default value ${String(def[r])}`));
      if (d !== undefined && dr !== undefined && dr > d) out.push(invalid(`${path}.defaultRequest[${r}]`, String(defReq[r]), `default request value ${String(defReq[r])} is greater than default limit value ${String(def[r])}`));
    }
  });
  return out;
}

const goMap = (m: Obj): string => `core.ResourceList{${Object.entries(m).map(([k, v]) => `"${k}":"${String(v)}"`).join(', ')}}`;

export default defineKind(identity('v1', 'LimitRange'), {
  validate,
  printer: {
    columns: [NAME, ['Created At', 'date', 0, 'When the LimitRange was created.']],
    row: (o: KubeObject) => [o.metadata.name ?? '', String(o.metadata.creationTimestamp ?? '')],
  },
});
