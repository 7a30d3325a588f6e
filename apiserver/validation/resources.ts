// Checks on compute resource lists and requirements: resource names, quantity values and requests <= limits.
import { asArr, asStr, child, forbidden, invalid, isObj, key, notFound, objects, required, type FieldCause } from './field.js';
import { IS_NEGATIVE } from './meta.js';
import { isQualifiedName } from './names.js';
import { parseQuantity, quantityError, quantityText } from '../../lib/api/quantity.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNative = (name: string): boolean => !name.includes('/') || name.startsWith('kubernetes.io/');
/** Native resources other than huge pages may be requested below their limit. */
export const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function validateContainerResourceName(name: string, field: string): FieldCause[] {
  const out = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) out.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && name.startsWith('requests.')) {
    out.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return out;
}

/** A quantity's format and sign; extended resources must also be whole numbers. */
export function validateQuantityValue(resource: string, value: unknown, field: string): FieldCause[] {
  const err = quantityError(value);
  if (err) return [invalid(field, quantityText(value), err)];
  const n = parseQuantity(value);
  if (n === undefined) return [];
  const out: FieldCause[] = [];
  if (n < 0) out.push(invalid(field, quantityText(value), IS_NEGATIVE));
  if (!isNative(resource) && !Number.isInteger(n)) out.push(invalid(field, quantityText(value), 'must be an integer'));
  return out;
}

/** Validates a ResourceRequirements (container, or pod-level when `claimsAllowed` is false). */
export function validateResourceRequirements(reqs: unknown, path: string, claimNames: Set<string>, claimsAllowed = true): FieldCause[] {
  if (!isObj(reqs)) return [];
  const out: FieldCause[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = isObj(reqs.limits) ? reqs.limits : {};
  const requests = isObj(reqs.requests) ? reqs.requests : {};
  let cpuOrMemory = false;
  let hugePages = false;
  for (const name of Object.keys(limits).sort()) {
    out.push(...validateContainerResourceName(name, key(limPath, name)), ...validateQuantityValue(name, limits[name], key(limPath, name)));
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  for (const name of Object.keys(requests).sort()) {
    const q = requests[name];
    out.push(...validateContainerResourceName(name, key(reqPath, name)), ...validateQuantityValue(name, q, key(reqPath, name)));
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
    const req = parseQuantity(q);
    if (Object.prototype.hasOwnProperty.call(limits, name)) {
      const lim = parseQuantity(limits[name]);
      if (req === undefined || lim === undefined) continue;
      if (req !== lim && !overcommitAllowed(name)) {
        out.push(invalid(reqPath, quantityText(q), `must be equal to ${name} limit of ${quantityText(limits[name])}`));
      } else if (req > lim) {
        out.push(invalid(reqPath, quantityText(q), `must be less than or equal to ${name} limit of ${quantityText(limits[name])}`));
      }
    } else if (!overcommitAllowed(name)) {
      out.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (hugePages && !cpuOrMemory) out.push(forbidden(path, 'HugePages require cpu or memory'));
  if (!claimsAllowed && asArr(reqs.claims).length) out.push(forbidden(child(path, 'claims'), 'claims cannot be set for Resources at pod-level'));
  const seen = new Set<string>();
  for (const [c, i] of objects(reqs.claims)) {
    const p = `${child(path, 'claims')}[${i}]`;
    const name = asStr(c.name);
    const id = `${name}/${asStr(c.request)}`;
    if (!name) out.push(required(child(p, 'name')));
    else if (seen.has(id)) out.push(invalid(child(p, 'name'), name, 'must be unique'));
    else if (!claimNames.has(name)) out.push(notFound(child(p, 'name'), name));
    seen.add(id);
  }
  return out;
}
