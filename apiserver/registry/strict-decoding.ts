// What Kubernetes' strict decoder says about a write: unknown fields (from pruning) and repeated keys (from the
// body decoder), worded and ordered as Kubernetes does for each kind of body, for fieldValidation Warn (one
// Warning each) and Strict (one 400 listing them all).
import type { FieldFinding } from './prune.js';

/** What decoding the request body found, carried to the write's validation. */
export interface DecodeFindings {
  /** An object (POST, PUT) or a patch whose result is being written. */
  source: 'object' | 'patch';
  /** Paths of keys repeated in a JSON body or merge patch (`metadata.name`), in document order. */
  duplicatePaths?: string[];
  /** A YAML body's repeated keys, as its decoder words them (`line 5: key "name" already set in map`); [] for none. */
  yamlErrors?: string[];
  /** Strict errors about a JSON patch's operations (`json patch duplicate field "[1].path"`). */
  patchErrors?: string[];
}

export interface StrictReport {
  /** The items of Strict's `strict decoding error: a, b, c`. */
  errors: string[];
  /** One Warning per finding, for Warn. */
  warnings: string[];
}

const unknownMsg = (p: string) => `unknown field "${p}"`;
const duplicateMsg = (p: string) => `duplicate field "${p}"`;

export function strictReport(findings: FieldFinding[], decoded: DecodeFindings | undefined): StrictReport {
  const unknown = findings.filter((f) => f.type === 'unknown').map((f) => f.path);
  if (decoded?.yamlErrors) {
    // YAML: the decoder's own error block first, then the unknown fields, sorted (Kubernetes' order)
    const sorted = [...unknown].sort().map(unknownMsg);
    const block = decoded.yamlErrors.length ? [`yaml: unmarshal errors:\n  ${decoded.yamlErrors.join('\n  ')}`] : [];
    return { errors: [...block, ...sorted], warnings: [...decoded.yamlErrors, ...sorted] };
  }
  if (decoded?.source === 'patch') {
    // a patch's own repeated keys first (all of them: the patch is decoded on its own), then the unknown fields of
    // the patched object, sorted
    const own = [...(decoded.patchErrors ?? []), ...(decoded.duplicatePaths ?? []).map(duplicateMsg)];
    const all = [...own, ...[...unknown].sort().map(unknownMsg)];
    return { errors: all, warnings: all };
  }
  // a typed object in JSON: one pass in document order
  const all = findings.map((f) => (f.type === 'unknown' ? unknownMsg(f.path) : duplicateMsg(f.path)));
  return { errors: all, warnings: all };
}

/** The repeated keys prune should place among the unknown fields: those of an object body only. */
export function duplicatesForPrune(decoded: DecodeFindings | undefined): ReadonlySet<string> {
  return new Set(decoded?.source === 'object' ? decoded.duplicatePaths ?? [] : []);
}
