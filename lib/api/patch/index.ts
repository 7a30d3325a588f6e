export { PatchError, UNPROCESSABLE_STATUS_MESSAGE, type PatchErrorCode } from './errors.js';
export { mergePatch } from './merge.js';
export { jsonPatch, MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS } from './json.js';
export { strategicMergePatch, type SchemaNode, type SchemaResolver } from './strategic.js';
