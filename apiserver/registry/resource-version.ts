// Resource versions as the API reads them: a revision of etcd in decimal; in an update's metadata, Kubernetes'
// versioner's reading (strconv.ParseUint), where "" and "0" mean "no precondition".
import { errors } from '../errors.js';

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * metadata.resourceVersion in an update, read as Kubernetes' versioner reads it (strconv.ParseUint): "" and "0"
 * mean no precondition, anything else must be a decimal revision. "abc" used to be a 409 Conflict.
 */
export function preconditionRv(rv: unknown): bigint | undefined {
  if (rv === undefined || rv === null || rv === '' || rv === '0') return undefined;
  const invalid = (why: string) => {
    const message = `Invalid value: ${JSON.stringify(rv)}: ${why}`;
    return errors.badRequest(`metadata.resourceVersion: ${message}`, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message }]);
  };
  if (typeof rv !== 'string') throw invalid('must be a string');
  if (!/^[0-9]+$/.test(rv)) throw invalid(`strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  const n = BigInt(rv);
  if (n > MAX_UINT64) throw invalid(`strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`);
  return n === 0n ? undefined : n;
}

export function parseRv(rv: string): number {
  if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version "${rv}"`);
  return Number(rv);
}
