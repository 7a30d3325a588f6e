export * from './labels.js';
export * from './fields.js';
export { validateLabelKey, validateLabelValue, labelKeyErrors, labelValueErrors } from './validation.js';
