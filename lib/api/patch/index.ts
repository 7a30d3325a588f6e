export { PatchError } from './errors.js';
export { mergePatch } from './merge.js';
export { jsonPatch } from './json.js';
export { strategicMergePatch, type SchemaNode } from './strategic.js';
